import type { EventStorage, ProcessorLease } from '@cello/event-sourcing/store/event-storage';
import { EventStoreUnavailableError } from '@cello/event-sourcing/errors/event-store-unavailable.error';
import { MemoryEventStorage } from '@cello/event-sourcing/store/memory/memory-event-storage';
import { ProcessorLeaseHolder } from '@cello/event-sourcing/subscriptions/processor-lease-holder';
import { waitUntil } from '../../../support/eventually';

// Long enough that a loaded machine still renews in time (renewals every third of it).
const TTL_MS = 2000;

/** A holder over a real in-memory storage, with what it reported. */
async function aHolder() {
  const storage = new MemoryEventStorage();
  await storage.init();
  const reported = { lost: 0, errors: [] as unknown[] };
  const holder = new ProcessorLeaseHolder({
    storage,
    ttlMs: TTL_MS,
    onLost: () => (reported.lost += 1),
    onRenewError: (error) => reported.errors.push(error),
  });
  const lease = (await storage.acquireLease('projection', 'instance-a', TTL_MS))!;
  holder.hold(lease);
  return { storage, holder, lease, reported };
}

describe('ProcessorLeaseHolder', () => {
  describe('when it holds a lease', () => {
    it('should renew it, so that another instance cannot take it past its first expiry', async () => {
      // Given
      const { storage, holder, lease } = await aHolder();

      // When its first expiry has passed
      await waitUntil(
        'the first expiry has passed',
        () => Date.now() > lease.expiresAt.getTime() + 50,
      );

      // Then
      expect(holder.held).toBe(true);
      expect(holder.lease!.expiresAt.getTime()).toBeGreaterThan(lease.expiresAt.getTime());
      await expect(
        storage.acquireLease('projection', 'instance-b', TTL_MS),
      ).resolves.toBeUndefined();
      await holder.release();
      await storage.close();
    });
  });

  describe('when another instance took the lease over', () => {
    it('should report it lost once and stop counting it as held', async () => {
      // Given
      const { storage, holder, lease, reported } = await aHolder();

      // When the lease is let go behind the holder's back and taken by another instance
      await storage.releaseLease(lease);
      const taken = await storage.acquireLease('projection', 'instance-b', 60_000);

      // Then
      await waitUntil('the loss is reported', () => reported.lost > 0, 10_000);
      expect(taken).toBeDefined();
      expect(holder.isLost).toBe(true);
      expect(holder.held).toBe(false);
      expect(reported.lost).toBe(1);
      // The lost lease is not released: the new holder keeps it.
      await holder.release();
      await expect(
        storage.acquireLease('projection', 'instance-c', 60_000),
      ).resolves.toBeUndefined();
      await storage.close();
    });
  });

  describe('when the storage stays unreachable past the time to live', () => {
    it('should report the failed renewals, then the lease lost', async () => {
      // Given
      const { storage, holder, reported } = await aHolder();

      // When every renewal fails
      await storage.close();

      // Then
      await waitUntil('the loss is reported', () => reported.lost > 0, 10_000);
      expect(holder.isLost).toBe(true);
      expect(reported.errors.length).toBeGreaterThan(0);
      expect(reported.errors[0]).toBeInstanceOf(EventStoreUnavailableError);
      expect(reported.lost).toBe(1);
      await holder.release();
    });
  });

  describe('when it is released', () => {
    it('should free the lease for another instance at once and renew it no more', async () => {
      // Given
      const { storage, holder, lease } = await aHolder();

      // When
      await holder.release();

      // Then
      expect(holder.lease).toBeUndefined();
      expect(holder.held).toBe(false);
      const taken = await storage.acquireLease('projection', 'instance-b', 60_000);
      expect(taken?.fencingToken).toBeGreaterThan(lease.fencingToken);
      await storage.close();
    });
  });

  describe('when it is released while a renewal is in flight', () => {
    it('should wait for that renewal, so that nothing renews after it resolves', async () => {
      // Given a storage whose renewals wait at a gate, and a renewal waiting there
      const storage = new MemoryEventStorage();
      await storage.init();
      const calls: string[] = [];
      let entered = false;
      let open!: () => void;
      const gate = new Promise<void>((resolve) => (open = resolve));
      const gated = Object.create(storage) as EventStorage;
      gated.renewLease = async (lease: ProcessorLease, ttlMs: number) => {
        entered = true;
        await gate;
        const renewed = await storage.renewLease(lease, ttlMs);
        calls.push('renewed');
        return renewed;
      };
      const holder = new ProcessorLeaseHolder({
        storage: gated,
        ttlMs: TTL_MS,
        onLost: () => undefined,
        onRenewError: () => undefined,
      });
      holder.hold((await storage.acquireLease('projection', 'instance-a', TTL_MS))!);
      await waitUntil('a renewal is in flight', () => entered, 10_000);

      // When
      const released = holder.release().then(() => calls.push('released'));
      await new Promise((resolve) => setImmediate(resolve));
      open();
      await released;
      await waitUntil('the renewal finished', () => calls.includes('renewed'), 10_000);

      // Then
      expect(calls).toEqual(['renewed', 'released']);
      await storage.close();
    });
  });
});
