import type { StorageUnderTest } from './storage-under-test';

/** The contract cases when the storage is reachable. */
export function describePing(subject: StorageUnderTest): void {
  describe('when the storage is reachable', () => {
    it('should answer a ping', async () => {
      await expect(subject.storage.ping()).resolves.toBeUndefined();
    });
  });
}
