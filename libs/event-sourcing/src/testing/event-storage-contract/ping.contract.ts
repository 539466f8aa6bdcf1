import type { EventStorage } from '../../store/event-storage';
import type { StorageUnderTest } from './storage-under-test';

/** The contract cases when the storage is reachable. */
export function describePing(subject: StorageUnderTest): void {
  describe('when the storage is reachable', () => {
    let storage: EventStorage;
    beforeEach(() => {
      storage = subject.storage;
    });

    it('should answer a ping', async () => {
      await expect(storage.ping()).resolves.toBeUndefined();
    });
  });
}
