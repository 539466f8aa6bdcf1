import { randomUUID } from 'node:crypto';
import type {
  EventStorage,
  ReadAllOptions,
  StoredEvent,
} from '@cello/event-sourcing/store/event-storage';
import { MemoryEventStorage } from '@cello/event-sourcing/store/memory/memory-event-storage';
import { GlobalLogPageReader } from '@cello/event-sourcing/subscriptions/global-log-page-reader';

/** A memory storage whose global reads are counted. */
async function countedStorage(events: number) {
  const storage = new MemoryEventStorage();
  await storage.init();
  await storage.append(
    'stream-1',
    Array.from({ length: events }, (_, n) => ({
      eventId: randomUUID(),
      type: 'Counted',
      schemaVersion: 1,
      data: JSON.stringify({ n }),
      metadata: '{}',
    })),
    'no_stream',
  );
  const reads: ReadAllOptions[] = [];
  const counted = Object.create(storage) as EventStorage;
  counted.readAll = (options: ReadAllOptions = {}) => {
    reads.push(options);
    return storage.readAll(options);
  };
  return { storage, counted, reads };
}

const positions = (page: StoredEvent[]) => page.map((event) => event.position);

describe('GlobalLogPageReader', () => {
  describe('when the next read starts where the page read ahead starts', () => {
    it('should hand over that page without reading again', async () => {
      // Given
      const { storage, counted, reads } = await countedStorage(10);
      const pages = new GlobalLogPageReader(counted, () => 4);
      const first = await pages.read(1);

      // When
      pages.readAhead(5);
      const second = await pages.read(5);

      // Then
      expect(positions(first)).toEqual([1, 2, 3, 4]);
      expect(positions(second)).toEqual([5, 6, 7, 8]);
      expect(reads.map((r) => r.fromPosition)).toEqual([1, 5]);
      await storage.close();
    });
  });

  describe('when the next read starts elsewhere, or the page was dropped', () => {
    it('should read the page asked for', async () => {
      // Given
      const { storage, counted, reads } = await countedStorage(10);
      const pages = new GlobalLogPageReader(counted, () => 4);

      // When
      pages.readAhead(5);
      const elsewhere = await pages.read(3);
      pages.readAhead(7);
      pages.drop();
      const afterDrop = await pages.read(7);

      // Then
      expect(positions(elsewhere)).toEqual([3, 4, 5, 6]);
      expect(positions(afterDrop)).toEqual([7, 8, 9, 10]);
      expect(reads.map((r) => r.fromPosition)).toEqual([5, 3, 7, 7]);
      await storage.close();
    });
  });

  describe('when settled', () => {
    it('should wait for a read ahead still running, even one that fails', async () => {
      // Given a read ahead held back until released, then failing (the storage closed meanwhile)
      const { storage } = await countedStorage(10);
      let release!: () => void;
      const gate = new Promise<void>((resolve) => (release = resolve));
      const held = Object.create(storage) as EventStorage;
      held.readAll = async (options?: ReadAllOptions) => {
        await gate;
        return storage.readAll(options);
      };
      const pages = new GlobalLogPageReader(held, () => 4);
      pages.readAhead(1);

      // When
      let settled = false;
      const settling = pages.settle().then(() => (settled = true));
      await new Promise((resolve) => setImmediate(resolve));
      const before = settled;
      await storage.close();
      release();
      await settling;

      // Then
      expect(before).toBe(false);
      expect(settled).toBe(true);
    });
  });
});
