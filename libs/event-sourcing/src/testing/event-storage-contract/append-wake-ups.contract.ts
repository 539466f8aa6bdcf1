import { newStreamId, anEvent } from './contract-fixtures';
import type { StorageUnderTest } from './storage-under-test';

/** The contract cases when events are appended and a listener waits. */
export function describeAppendWakeUps(subject: StorageUnderTest): void {
  describe('when events are appended and a listener waits', () => {
    it('should wake the listener', async () => {
      // Given
      let wake!: () => void;
      const woken = new Promise<void>((resolve) => (wake = resolve));
      const unsubscribe = subject.storage.onAppended(() => wake());

      // When
      await subject.storage.append(newStreamId(), [anEvent({})], 'any');

      // Then
      await expect(woken).resolves.toBeUndefined();
      unsubscribe();
    });
  });
}
