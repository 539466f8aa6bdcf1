import { newProcessor, range, sleep } from './contract-fixtures';
import type { StorageUnderTest } from './storage-under-test';

/** The contract cases when processors take leases. */
export function describeProcessorLeases(subject: StorageUnderTest): void {
  describe('when processors take leases', () => {
    it('should give a free lease to the first owner only', async () => {
      // Given
      const processor = newProcessor();
      const first = await subject.storage.acquireLease(processor, 'instance-a', 10_000);

      // When
      const second = await subject.storage.acquireLease(processor, 'instance-b', 10_000);

      // Then
      expect(first).toMatchObject({ processor, owner: 'instance-a', checkpoint: 0 });
      expect(first?.expiresAt).toBeInstanceOf(Date);
      expect(second).toBeUndefined();
    });

    it('should let only one of many racing owners take a free lease', async () => {
      // Given
      const processor = newProcessor();

      // When
      const leases = await Promise.all(
        range(1, 10).map((i) => subject.storage.acquireLease(processor, `instance-${i}`, 10_000)),
      );

      // Then
      expect(leases.filter((l) => l !== undefined)).toHaveLength(1);
    });

    it('should give the lease again to its holder without a new fencing token', async () => {
      // Given
      const processor = newProcessor();
      const first = await subject.storage.acquireLease(processor, 'instance-a', 10_000);

      // When
      const again = await subject.storage.acquireLease(processor, 'instance-a', 10_000);

      // Then
      expect(again?.fencingToken).toBe(first?.fencingToken);
    });

    it('should read who holds a live lease, and nothing once it is released', async () => {
      // Given
      const processor = newProcessor();
      const lease = (await subject.storage.acquireLease(processor, 'instance-a', 10_000))!;

      // When
      const held = await subject.storage.readLease!(processor);
      await subject.storage.releaseLease(lease);
      const released = await subject.storage.readLease!(processor);

      // Then
      expect(held?.owner).toBe('instance-a');
      expect(held?.expiresAt.getTime()).toBe(lease.expiresAt.getTime());
      expect(released).toBeUndefined();
      expect(await subject.storage.readLease!(newProcessor())).toBeUndefined();
    });

    it('should renew a held lease', async () => {
      // Given
      const processor = newProcessor();
      const lease = (await subject.storage.acquireLease(processor, 'instance-a', 10_000))!;

      // When
      const renewed = await subject.storage.renewLease(lease, 10_000);

      // Then
      expect(renewed).toMatchObject({ owner: 'instance-a', fencingToken: lease.fencingToken });
      expect(renewed!.expiresAt.getTime()).toBeGreaterThanOrEqual(lease.expiresAt.getTime());
    });

    it('should let another owner take over an expired lease with a higher fencing token', async () => {
      // Given
      const processor = newProcessor();
      const old = (await subject.storage.acquireLease(processor, 'instance-a', 150))!;
      await subject.storage.storeCheckpoint(old, 7);
      await sleep(400);

      // When
      const taken = await subject.storage.acquireLease(processor, 'instance-b', 10_000);

      // Then
      expect(taken).toMatchObject({ owner: 'instance-b', checkpoint: 7 });
      expect(taken!.fencingToken).toBeGreaterThan(old.fencingToken);
      expect(await subject.storage.renewLease(old, 10_000)).toBeUndefined();
      expect(await subject.storage.acquireLease(processor, 'instance-a', 10_000)).toBeUndefined();
    });

    it('should refuse a checkpoint from an owner that lost the lease (fencing)', async () => {
      // Given
      const processor = newProcessor();
      const old = (await subject.storage.acquireLease(processor, 'instance-a', 150))!;
      expect(await subject.storage.storeCheckpoint(old, 3)).toBe(true);
      await sleep(400);
      const current = (await subject.storage.acquireLease(processor, 'instance-b', 10_000))!;
      expect(await subject.storage.storeCheckpoint(current, 5)).toBe(true);

      // When the paused old owner wakes up and writes
      const written = await subject.storage.storeCheckpoint(old, 99);

      // Then
      expect(written).toBe(false);
      await subject.storage.releaseLease(current);
      const next = await subject.storage.acquireLease(processor, 'instance-c', 10_000);
      expect(next?.checkpoint).toBe(5);
    });

    it('should hand a released lease to another owner at once, with its checkpoint', async () => {
      // Given
      const processor = newProcessor();
      const lease = (await subject.storage.acquireLease(processor, 'instance-a', 10_000))!;
      await subject.storage.storeCheckpoint(lease, 12);

      // When
      await subject.storage.releaseLease(lease);
      const taken = await subject.storage.acquireLease(processor, 'instance-b', 10_000);

      // Then
      expect(taken).toMatchObject({ owner: 'instance-b', checkpoint: 12 });
      expect(taken!.fencingToken).toBeGreaterThan(lease.fencingToken);
    });

    it('should move a checkpoint back on reset', async () => {
      // Given
      const processor = newProcessor();
      const lease = (await subject.storage.acquireLease(processor, 'instance-a', 10_000))!;
      await subject.storage.storeCheckpoint(lease, 40);
      await subject.storage.releaseLease(lease);

      // When
      await subject.storage.resetCheckpoint(processor, 0);

      // Then
      const again = await subject.storage.acquireLease(processor, 'instance-a', 10_000);
      expect(again?.checkpoint).toBe(0);
    });

    it('should tell a processor that never checkpointed from one reset to the beginning', async () => {
      // Given a processor never run, one that stored 0, and one reset to 0 before it ever ran
      const fresh = newProcessor();
      const storedZero = newProcessor();
      const resetFirst = newProcessor();
      const lease = (await subject.storage.acquireLease(storedZero, 'instance-a', 10_000))!;
      expect(await subject.storage.storeCheckpoint(lease, 0)).toBe(true);
      await subject.storage.releaseLease(lease);
      await subject.storage.resetCheckpoint(resetFirst, 0);

      // When
      const leases = await Promise.all(
        [fresh, storedZero, resetFirst].map((p) =>
          subject.storage.acquireLease(p, 'instance-b', 10_000),
        ),
      );

      // Then only the fresh one has no checkpoint; all read as 0
      expect(leases.map((l) => [l?.checkpoint, l?.hasCheckpoint])).toEqual([
        [0, false],
        [0, true],
        [0, true],
      ]);
      expect(await subject.storage.readCheckpoint(fresh)).toBe(0);
      expect(await subject.storage.readCheckpoint(resetFirst)).toBe(0);
    });

    it('should count a checkpoint moved back to 0 as a checkpoint', async () => {
      // Given
      const processor = newProcessor();
      const lease = (await subject.storage.acquireLease(processor, 'instance-a', 10_000))!;
      expect(lease.hasCheckpoint).toBe(false);
      await subject.storage.storeCheckpoint(lease, 40);

      // When
      await subject.storage.resetCheckpoint(processor, 0);

      // Then
      const again = await subject.storage.acquireLease(processor, 'instance-a', 10_000);
      expect(again).toMatchObject({ checkpoint: 0, hasCheckpoint: true });
    });

    it('should let any instance read a processor checkpoint', async () => {
      // Given
      const processor = newProcessor();
      const lease = (await subject.storage.acquireLease(processor, 'instance-a', 10_000))!;
      await subject.storage.storeCheckpoint(lease, 17);

      // When
      const seen = await subject.storage.readCheckpoint(processor);

      // Then
      expect(seen).toBe(17);
      expect(await subject.storage.readCheckpoint(newProcessor())).toBe(0);
    });

    it('should fence off the running holder when its checkpoint is reset', async () => {
      // Given
      const processor = newProcessor();
      const lease = (await subject.storage.acquireLease(processor, 'instance-a', 10_000))!;
      await subject.storage.storeCheckpoint(lease, 40);

      // When
      await subject.storage.resetCheckpoint(processor, 0);

      // Then
      expect(await subject.storage.storeCheckpoint(lease, 41)).toBe(false);
      expect(await subject.storage.readCheckpoint(processor)).toBe(0);
      const again = await subject.storage.acquireLease(processor, 'instance-a', 10_000);
      expect(again?.checkpoint).toBe(0);
      expect(again!.fencingToken).toBeGreaterThan(lease.fencingToken);
    });

    it('should keep leases of different processors independent', async () => {
      // Given
      const one = newProcessor();
      const two = newProcessor();
      await subject.storage.acquireLease(one, 'instance-a', 10_000);

      // When
      const other = await subject.storage.acquireLease(two, 'instance-b', 10_000);

      // Then
      expect(other?.owner).toBe('instance-b');
    });
  });
}
