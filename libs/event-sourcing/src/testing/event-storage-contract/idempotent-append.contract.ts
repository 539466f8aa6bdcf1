import { newStreamId, anEvents, range } from './contract-fixtures';
import type { StorageUnderTest } from './storage-under-test';

/** The contract cases when the same append is sent again. */
export function describeIdempotentAppend(subject: StorageUnderTest): void {
  describe('when the same append is sent again', () => {
    it('should store nothing twice and return the first write', async () => {
      // Given
      const streamId = newStreamId();
      const events = anEvents(3);
      const first = await subject.storage.append(streamId, events, 'no_stream');

      // When the client re-sends after a timeout, with the same expectation
      const again = await subject.storage.append(streamId, events, 'no_stream');

      // Then
      expect(again.duplicate).toBe(true);
      expect(again.positions).toEqual(first.positions);
      expect(again.streamVersion).toBe(first.streamVersion);
      expect(await subject.storage.readStream(streamId)).toHaveLength(3);
      expect(await subject.storage.streamVersion(streamId)).toBe(3);
    });

    it('should return the first write after later appends to the stream', async () => {
      // Given
      const streamId = newStreamId();
      const events = anEvents(2);
      const first = await subject.storage.append(streamId, events, 0);
      await subject.storage.append(streamId, anEvents(2), 2);

      // When
      const again = await subject.storage.append(streamId, events, 0);

      // Then
      expect(again).toEqual({ duplicate: true, positions: first.positions, streamVersion: 2 });
      expect(await subject.storage.streamVersion(streamId)).toBe(4);
    });

    it('should store nothing twice when 10 re-sends race', async () => {
      // Given
      const streamId = newStreamId();
      const events = anEvents(2);

      // When
      const results = await Promise.allSettled(
        range(1, 10).map(() => subject.storage.append(streamId, events, 'any')),
      );

      // Then
      expect(await subject.storage.readStream(streamId)).toHaveLength(2);
      const fulfilled = results.filter((r) => r.status === 'fulfilled');
      expect(fulfilled.length).toBeGreaterThan(0);
      expect(fulfilled.filter((r) => !r.value.duplicate)).toHaveLength(1);
    });
  });
}
