import { DATE_PATHS_METADATA_KEY } from '../../serialization/date-paths';
import { newStreamId, anEvent, anEvents, range } from './contract-fixtures';
import { replay } from './contract-reads';
import type { StorageUnderTest } from './storage-under-test';

/** The contract cases when a stream is replayed for EventStore.load (replayStream, else readStream). */
export function describeReplayStream(subject: StorageUnderTest): void {
  describe('when a stream is replayed for EventStore.load (replayStream, else readStream)', () => {
    it('should deliver the events from fromVersion with what load needs and the date paths', async () => {
      // Given
      const streamId = newStreamId();
      const datePaths = [['at'], ['items', 0, 'due']];
      await subject.storage.append(
        streamId,
        [
          anEvent({ n: 1 }, { correlationId: 'c-1' }),
          anEvent(
            { n: 2, at: '2026-01-01T00:00:00.000Z' },
            { [DATE_PATHS_METADATA_KEY]: datePaths },
            2,
          ),
          anEvent({ n: 3, text: `"ü" 🎉 \\ <b>\u0001` }),
        ],
        'no_stream',
      );
      const stored = await subject.storage.readStream(streamId);

      // When
      const all = await replay(subject.storage, streamId);
      const tail = await replay(subject.storage, streamId, { fromVersion: 2 });

      // Then
      expect(all.map((e) => e.version)).toEqual([1, 2, 3]);
      expect(tail.map((e) => e.version)).toEqual([2, 3]);
      all.forEach((event, i) => {
        expect(event).toMatchObject({
          position: stored[i].position,
          version: stored[i].version,
          eventId: stored[i].eventId,
          type: stored[i].type,
          schemaVersion: stored[i].schemaVersion,
          data: stored[i].data,
        });
      });
      expect(all[1].datePaths).toEqual(datePaths);
      expect(all[0].datePaths ?? undefined).toBeUndefined();
      expect(all[2].datePaths ?? undefined).toBeUndefined();
    });

    it('should deliver a stream longer than a page whole and in order', async () => {
      // Given
      const streamId = newStreamId();
      await subject.storage.append(streamId, anEvents(25), 'no_stream');

      // When
      const events = await replay(subject.storage, streamId, { fromVersion: 3, pageSize: 7 });

      // Then
      expect(events.map((e) => e.version)).toEqual(range(3, 25));
      expect(events.map((e) => (e.data as { n: number }).n)).toEqual(range(3, 25));
    });

    it('should deliver nothing for a stream that does not exist', async () => {
      const events = await replay(subject.storage, newStreamId());
      expect(events).toEqual([]);
    });

    it('should stop at the first event the handler throws on, reject with that error, and stay usable', async () => {
      // Given
      const streamId = newStreamId();
      await subject.storage.append(streamId, anEvents(30), 'no_stream');
      const failure = new Error('handler failed on event 3');
      const seen: number[] = [];

      // When
      const error = await replay(subject.storage, streamId, { pageSize: 10 }, (event) => {
        seen.push(event.version);
        if (event.version === 3) throw failure;
      }).catch((e: unknown) => e);

      // Then
      expect(error).toBe(failure);
      expect(seen).toEqual([1, 2, 3]);
      expect((await replay(subject.storage, streamId)).map((e) => e.version)).toEqual(range(1, 30));
    });
  });
}
