import { randomUUID } from 'node:crypto';
import type { SagaMachineState, SagaStatus } from '../machine/saga-machine.types';
import type { SagaStorage, SagaWrite } from '../storage/saga-storage';

/**
 * The saga storage contract suite: the same cases for every `SagaStorage`
 * (memory, PostgreSQL, MySQL, a user's own). Call it inside a jest test file:
 *
 * ```ts
 * describeSagaStorageContract('MySagaStorage', async () => new MySagaStorage(...));
 * ```
 *
 * `factory` is called before each case and must return a ready storage; the
 * suite closes it after the case. Cases use fresh saga ids and names, so a
 * database shared between cases works.
 */
export function describeSagaStorageContract(
  name: string,
  factory: () => Promise<SagaStorage>,
): void {
  describe(`${name} (saga storage contract)`, () => {
    let storage: SagaStorage;

    beforeEach(async () => {
      storage = await factory();
    });

    afterEach(async () => {
      await storage.close();
    });

    describe('when a saga is created', () => {
      it('should load it with its state, context and a first lease', async () => {
        // Given
        const write = aWrite({ context: { orderId: 'o-1', note: `ü 🎉 "q" 'x'`, n: 3 } });

        // When
        await storage.create(write);

        // Then
        const loaded = await storage.load(write.id);
        expect(loaded).toMatchObject({
          id: write.id,
          sagaName: write.sagaName,
          status: 'running',
          context: write.context,
          state: write.state,
          leaseOwner: 'instance-a',
          fencingToken: 1,
        });
        // A tag check, not instanceof: structuredClone'd Dates come from another realm under jest.
        expect(Object.prototype.toString.call(loaded?.createdAt)).toBe('[object Date]');
        expect(Number.isNaN(loaded!.updatedAt.getTime())).toBe(false);
      });

      it('should return undefined for a saga that does not exist', async () => {
        expect(await storage.load(randomUUID())).toBeUndefined();
      });
    });

    describe('when a transition is saved', () => {
      it('should store it for the lease holder', async () => {
        // Given
        const write = aWrite();
        await storage.create(write);

        // When
        const saved = await storage.save({
          ...write,
          status: 'completed',
          state: aState('completed'),
          context: { ...write.context, reservationId: 'r-9' },
        });

        // Then
        expect(saved).toBe(true);
        const loaded = await storage.load(write.id);
        expect(loaded).toMatchObject({ status: 'completed', context: { reservationId: 'r-9' } });
        expect(loaded?.state.status).toBe('completed');
      });

      it('should report a save that changes nothing as saved', async () => {
        // Given
        const write = aWrite();
        await storage.create(write);

        // When
        const first = await storage.save(write);
        const again = await storage.save(write);

        // Then
        expect([first, again]).toEqual([true, true]);
      });

      it('should refuse a write from an owner whose lease was taken over (fencing)', async () => {
        // Given
        const write = aWrite({ leaseTtlMs: 100 });
        await storage.create(write);
        await sleep(300);
        const [taken] = await claimOurs(storage, 'instance-b', [write.id]);

        // When the paused old owner wakes up and writes
        const stale = await storage.save({ ...write, status: 'compensating' });

        // Then
        expect(taken?.fencingToken).toBeGreaterThan(1);
        expect(stale).toBe(false);
        expect((await storage.load(write.id))?.status).toBe('running');
        const current = await storage.save({
          ...write,
          owner: 'instance-b',
          fencingToken: taken!.fencingToken,
          status: 'completed',
        });
        expect(current).toBe(true);
      });

      it('should refuse a write for a saga that does not exist', async () => {
        expect(await storage.save(aWrite())).toBe(false);
      });

      it('should keep each of many concurrent sagas apart', async () => {
        // Given
        const writes = range(20).map((i) => aWrite({ context: { i } }));
        await Promise.all(writes.map((w) => storage.create(w)));

        // When
        const saved = await Promise.all(
          writes.map((w, i) =>
            storage.save({ ...w, context: { i, done: true }, status: 'completed' }),
          ),
        );

        // Then
        expect(saved.every(Boolean)).toBe(true);
        for (const [i, w] of writes.entries()) {
          expect((await storage.load(w.id))?.context).toEqual({ i, done: true });
        }
      });
    });

    describe('when sagas are listed', () => {
      it('should filter by status and name, newest first, up to the limit', async () => {
        // Given
        const sagaName = `Listed-${randomUUID()}`;
        const older = aWrite({ sagaName });
        await storage.create(older);
        await sleep(20);
        const newer = aWrite({ sagaName });
        await storage.create(newer);
        await storage.save({ ...newer, status: 'completed' });

        // When
        const all = await storage.list({ sagaName });
        const completed = await storage.list({ sagaName, status: 'completed' });
        const either = await storage.list({ sagaName, status: ['running', 'completed'] });
        const one = await storage.list({ sagaName, limit: 1 });

        // Then
        expect(all.map((r) => r.id)).toEqual([newer.id, older.id]);
        expect(completed.map((r) => r.id)).toEqual([newer.id]);
        expect(either).toHaveLength(2);
        expect(one.map((r) => r.id)).toEqual([newer.id]);
      });
    });

    describe('when abandoned sagas are claimed', () => {
      it('should claim an unfinished saga whose lease expired, with a new fencing token', async () => {
        // Given
        const write = aWrite({ leaseTtlMs: 100 });
        await storage.create(write);
        await sleep(300);

        // When
        const claimed = await claimOurs(storage, 'instance-b', [write.id]);

        // Then
        expect(claimed).toHaveLength(1);
        expect(claimed[0]).toMatchObject({ id: write.id, leaseOwner: 'instance-b' });
        expect(claimed[0].fencingToken).toBe(2);
        expect((await storage.load(write.id))?.leaseOwner).toBe('instance-b');
      });

      it('should not claim a saga whose lease is live, nor a finished one', async () => {
        // Given
        const live = aWrite({ leaseTtlMs: 60_000 });
        const finished = aWrite({ leaseTtlMs: 100 });
        await storage.create(live);
        await storage.create(finished);
        await storage.save({ ...finished, status: 'compensated' });
        await sleep(300);

        // When
        const claimed = await claimOurs(storage, 'instance-b', [live.id, finished.id]);

        // Then
        expect(claimed).toEqual([]);
      });

      it("should claim the caller's own sagas from before a restart when asked", async () => {
        // Given
        const write = aWrite({ leaseTtlMs: 60_000 });
        await storage.create(write);

        // When
        const claimed = await claimOurs(storage, 'instance-a', [write.id], 'instance-a');

        // Then
        expect(claimed.map((r) => r.id)).toEqual([write.id]);
        expect(claimed[0].fencingToken).toBe(2);
      });

      it('should give each abandoned saga to exactly one of two racing instances', async () => {
        // Given
        const writes = range(30).map(() => aWrite({ leaseTtlMs: 100 }));
        await Promise.all(writes.map((w) => storage.create(w)));
        await sleep(300);
        const ids = new Set(writes.map((w) => w.id));

        // When
        const rounds = await Promise.all(
          ['instance-b', 'instance-c', 'instance-b', 'instance-c'].map((owner) =>
            storage.claimAbandoned(owner, 60_000, 1000),
          ),
        );

        // Then
        const claimed = rounds.flat().filter((r) => ids.has(r.id));
        expect(claimed).toHaveLength(30);
        expect(new Set(claimed.map((r) => r.id)).size).toBe(30);
      });

      it('should claim at most the limit', async () => {
        // Given
        const sagaName = `Limited-${randomUUID()}`;
        const writes = range(5).map(() => aWrite({ sagaName, leaseTtlMs: 100 }));
        await Promise.all(writes.map((w) => storage.create(w)));
        await sleep(300);

        // When
        const claimed = await storage.claimAbandoned('instance-b', 60_000, 2);

        // Then
        expect(claimed.length).toBeLessThanOrEqual(2);
        expect(claimed.length).toBeGreaterThan(0);
      });
    });

    describe('when one saga is claimed by id', () => {
      it('should lease it in the given status only, with a new fencing token', async () => {
        // Given
        const write = aWrite();
        await storage.create(write);
        await storage.save({ ...write, status: 'compensation_failed' });

        // When
        const wrongStatus = await storage.claim(write.id, 'running', 'instance-b', 10_000);
        const claimed = await storage.claim(write.id, 'compensation_failed', 'instance-b', 10_000);

        // Then
        expect(wrongStatus).toBeUndefined();
        expect(claimed).toMatchObject({ id: write.id, leaseOwner: 'instance-b', fencingToken: 2 });
        expect(await storage.save({ ...write, status: 'compensated' })).toBe(false);
        expect(await storage.claim(randomUUID(), 'running', 'instance-b', 10_000)).toBeUndefined();
      });
    });

    describe('when leases are renewed', () => {
      it('should return the ids still held and drop those taken over', async () => {
        // Given
        const kept = aWrite({ leaseTtlMs: 60_000 });
        const lost = aWrite({ leaseTtlMs: 100 });
        await storage.create(kept);
        await storage.create(lost);
        await sleep(300);
        await claimOurs(storage, 'instance-b', [lost.id]);

        // When
        const held = await storage.renewLeases(
          'instance-a',
          new Map([
            [kept.id, 1],
            [lost.id, 1],
          ]),
          60_000,
        );

        // Then
        expect(held).toEqual([kept.id]);
        expect(await storage.renewLeases('instance-a', new Map(), 60_000)).toEqual([]);
      });

      it('should keep a renewed lease from being claimed', async () => {
        // Given
        const write = aWrite({ leaseTtlMs: 200 });
        await storage.create(write);

        // When
        await storage.renewLeases('instance-a', new Map([[write.id, 1]]), 60_000);
        await sleep(400);

        // Then
        expect(await claimOurs(storage, 'instance-b', [write.id])).toEqual([]);
      });
    });
  });
}

/** Claims abandoned sagas and keeps only those of this case (others may share the database). */
async function claimOurs(
  storage: SagaStorage,
  owner: string,
  ids: string[],
  includeOwnedBy?: string,
) {
  const claimed = await storage.claimAbandoned(owner, 60_000, 10_000, includeOwnedBy);
  return claimed.filter((r) => ids.includes(r.id));
}

function aState(status: SagaStatus = 'running'): SagaMachineState {
  return {
    definition: {
      steps: [
        { name: 'reserve', maxRetries: 3, hasCompensation: true, compensateOnFailure: false },
      ],
      retryBaseMs: 100,
      retryCapMs: 1000,
      timeoutMs: null,
    },
    status,
    steps: [{ status: 'pending', attempts: 0, compensationAttempts: 0 }],
    startedAtMs: 1_764_300_000_000,
    deadlineMs: null,
    failedStep: null,
    error: null,
    timedOut: false,
    inFlight: null,
  };
}

function aWrite(
  overrides: Partial<SagaWrite & { sagaName: string }> = {},
): SagaWrite & { sagaName: string } {
  return {
    id: randomUUID(),
    sagaName: 'ContractSaga',
    status: 'running',
    state: aState(),
    context: { orderId: randomUUID() },
    owner: 'instance-a',
    fencingToken: 1,
    leaseTtlMs: 30_000,
    ...overrides,
  };
}

function range(count: number): number[] {
  return Array.from({ length: count }, (_, i) => i);
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
