import { newStreamId, aSnapshot } from './contract-fixtures';
import type { StorageUnderTest } from './storage-under-test';

/** The contract cases when snapshots are saved. */
export function describeSnapshots(subject: StorageUnderTest): void {
  describe('when snapshots are saved', () => {
    it('should load the newest one, replacing the older', async () => {
      // Given
      const streamId = newStreamId();
      await subject.storage.saveSnapshot(aSnapshot(streamId, 'Order', 5, 'five'));

      // When
      await subject.storage.saveSnapshot(aSnapshot(streamId, 'Order', 10, 'ten'));

      // Then
      const loaded = await subject.storage.loadSnapshot(streamId, 'Order');
      expect(loaded).toMatchObject({ streamId, aggregateType: 'Order', version: 10 });
      expect(loaded?.state.toString()).toBe('ten');
      expect(loaded?.createdAt).toBeInstanceOf(Date);
    });

    it('should keep the schema version and binary state exactly', async () => {
      // Given
      const streamId = newStreamId();
      const state = Buffer.from([0, 255, 1, 254, 0, 0, 128]);

      // When
      await subject.storage.saveSnapshot({
        ...aSnapshot(streamId, 'Order', 3, ''),
        state,
        schemaVersion: 4,
      });

      // Then
      const loaded = await subject.storage.loadSnapshot(streamId, 'Order');
      expect(loaded?.schemaVersion).toBe(4);
      expect(Buffer.compare(loaded!.state, state)).toBe(0);
    });

    it('should keep snapshots of different aggregate types apart', async () => {
      // Given
      const streamId = newStreamId();
      await subject.storage.saveSnapshot(aSnapshot(streamId, 'Order', 2, 'order'));

      // When
      await subject.storage.saveSnapshot(aSnapshot(streamId, 'Invoice', 7, 'invoice'));

      // Then
      expect((await subject.storage.loadSnapshot(streamId, 'Order'))?.state.toString()).toBe(
        'order',
      );
      expect((await subject.storage.loadSnapshot(streamId, 'Invoice'))?.version).toBe(7);
      expect(await subject.storage.loadSnapshot(newStreamId(), 'Order')).toBeUndefined();
    });
  });
}
