import type { StoredEvent } from '../../store/event-storage';
import { newStreamId, anEvents, range } from './contract-fixtures';
import { expectIncreasing, readAllFrom } from './contract-reads';
import type { StorageUnderTest } from './storage-under-test';

/** The contract cases when the global log is read. */
export function describeGlobalLog(subject: StorageUnderTest): void {
  describe('when the global log is read', () => {
    it('should return events of all streams in append order with increasing positions', async () => {
      // Given
      const head = await subject.storage.headPosition();
      const a = newStreamId();
      const b = newStreamId();
      const appended: string[] = [];
      for (const [stream, n] of [
        [a, 2],
        [b, 1],
        [a, 3],
        [b, 2],
      ] as const) {
        const events = anEvents(n);
        await subject.storage.append(stream, events, 'any');
        appended.push(...events.map((e) => e.eventId));
      }

      // When
      const read = await readAllFrom(subject.storage, head + 1);

      // Then
      const ours = read.filter((e) => e.streamId === a || e.streamId === b);
      expect(ours.map((e) => e.eventId)).toEqual(appended);
      expectIncreasing(read.map((e) => e.position));
      expect(read[0].position).toBeGreaterThan(head);
    });

    it('should page with fromPosition and limit without losing or repeating events', async () => {
      // Given
      const head = await subject.storage.headPosition();
      const streamId = newStreamId();
      await subject.storage.append(streamId, anEvents(17), 'no_stream');

      // When
      const pages: StoredEvent[][] = [];
      for (let from = head + 1; ;) {
        const page = await subject.storage.readAll({ fromPosition: from, limit: 5 });
        if (page.length === 0) break;
        expect(page.length).toBeLessThanOrEqual(5);
        pages.push(page);
        from = page[page.length - 1].position + 1;
      }

      // Then
      const all = pages.flat().filter((e) => e.streamId === streamId);
      expect(all.map((e) => e.version)).toEqual(range(1, 17));
      expectIncreasing(pages.flat().map((e) => e.position));
    });

    it('should report the head position as the position of the last event', async () => {
      // Given
      const streamId = newStreamId();

      // When
      const result = await subject.storage.append(streamId, anEvents(3), 'no_stream');

      // Then
      const head = await subject.storage.headPosition();
      expect(head).toBeGreaterThanOrEqual(result.positions[2]);
      const beyond = await subject.storage.readAll({ fromPosition: head + 1 });
      expect(beyond).toEqual([]);
      const last = await subject.storage.readAll({ fromPosition: result.positions[2] });
      expect(last[0].eventId).toBe((await subject.storage.readStream(streamId))[2].eventId);
    });

    it('should return nothing past the end', async () => {
      // Given
      const head = await subject.storage.headPosition();

      // When
      const read = await subject.storage.readAll({ fromPosition: head + 1000 });

      // Then
      expect(read).toEqual([]);
    });
  });
}
