import { isCelloError } from '@cello/core';
import { ConcurrencyError } from '../../errors/concurrency.error';
import { newStreamId, anEvent, range } from './contract-fixtures';
import { readWholeStream } from './contract-reads';
import type { StorageUnderTest } from './storage-under-test';

/** The contract cases when many writers append to one stream at once. */
export function describeConcurrentAppends(subject: StorageUnderTest): void {
  describe('when many writers append to one stream at once', () => {
    it('should keep versions contiguous under 50 concurrent writers with retries', async () => {
      // Given
      const streamId = newStreamId();
      const writers = 50;
      const appendsPerWriter = 2;
      const acknowledged: string[] = [];

      // When
      await Promise.all(
        range(1, writers).map(async () => {
          for (let i = 0; i < appendsPerWriter; i++) {
            const event = anEvent({ i });
            for (;;) {
              const version = await subject.storage.streamVersion(streamId);
              try {
                await subject.storage.append(streamId, [event], version);
                acknowledged.push(event.eventId);
                break;
              } catch (error) {
                if (!isCelloError(error, ConcurrencyError.code)) throw error;
              }
            }
          }
        }),
      );

      // Then
      const read = await readWholeStream(subject.storage, streamId);
      expect(read.map((e) => e.version)).toEqual(range(1, writers * appendsPerWriter));
      expect(new Set(read.map((e) => e.eventId))).toEqual(new Set(acknowledged));
      expect(read).toHaveLength(acknowledged.length);
    });

    it('should let exactly one of 50 writers expecting the same version win', async () => {
      // Given
      const streamId = newStreamId();
      await subject.storage.append(streamId, [anEvent({})], 'no_stream');

      // When
      const outcomes = await Promise.allSettled(
        range(1, 50).map(() => subject.storage.append(streamId, [anEvent({}), anEvent({})], 1)),
      );

      // Then
      const won = outcomes.filter((o) => o.status === 'fulfilled');
      const lost = outcomes.filter((o) => o.status === 'rejected');
      expect(won).toHaveLength(1);
      for (const outcome of lost) {
        expect(isCelloError(outcome.reason, ConcurrencyError.code)).toBe(true);
      }
      const read = await subject.storage.readStream(streamId);
      expect(read.map((e) => e.version)).toEqual([1, 2, 3]);
    });

    it('should store every event of 50 writers appending with any', async () => {
      // Given
      const streamId = newStreamId();

      // When
      const results = await Promise.all(
        range(1, 50).map(() => subject.storage.append(streamId, [anEvent({}), anEvent({})], 'any')),
      );

      // Then
      const read = await readWholeStream(subject.storage, streamId);
      expect(read.map((e) => e.version)).toEqual(range(1, 100));
      const positions = results.flatMap((r) => r.positions).sort((a, b) => a - b);
      expect(read.map((e) => e.position).sort((a, b) => a - b)).toEqual(positions);
      // each append's two events are adjacent in the stream: appends do not interleave
      for (const result of results) {
        expect(result.streamVersion % 2).toBe(0);
      }
    });
  });
}
