import { newStreamId, anEvents, range } from './contract-fixtures';
import type { StorageUnderTest } from './storage-under-test';

/** The contract cases when a stream is read. */
export function describeReadStream(subject: StorageUnderTest): void {
  describe('when a stream is read', () => {
    it('should return nothing and version 0 for a stream that does not exist', async () => {
      // Given
      const streamId = newStreamId();

      // When
      const read = await subject.storage.readStream(streamId);

      // Then
      expect(read).toEqual([]);
      expect(await subject.storage.streamVersion(streamId)).toBe(0);
    });

    it('should honour fromVersion and limit', async () => {
      // Given
      const streamId = newStreamId();
      await subject.storage.append(streamId, anEvents(10), 'no_stream');

      // When
      const page = await subject.storage.readStream(streamId, { fromVersion: 4, limit: 3 });
      const tail = await subject.storage.readStream(streamId, { fromVersion: 9 });

      // Then
      expect(page.map((e) => e.version)).toEqual([4, 5, 6]);
      expect(tail.map((e) => e.version)).toEqual([9, 10]);
    });

    it('should page through a stream to its end', async () => {
      // Given
      const streamId = newStreamId();
      await subject.storage.append(streamId, anEvents(25), 'no_stream');

      // When
      const versions: number[] = [];
      for (let from = 1; ;) {
        const page = await subject.storage.readStream(streamId, { fromVersion: from, limit: 7 });
        if (page.length === 0) break;
        versions.push(...page.map((e) => e.version));
        from = page[page.length - 1].version + 1;
      }

      // Then
      expect(versions).toEqual(range(1, 25));
    });
  });
}
