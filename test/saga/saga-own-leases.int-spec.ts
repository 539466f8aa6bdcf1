import { isCelloError } from '@cello/core';
import {
  MemorySagaStorage,
  PostgresSagaStorage,
  Saga,
  SagaInstanceIdInUseError,
  SagaRunner,
  SagaStep,
  type SagaModuleOptions,
  type SagaStorage,
} from '@cello/saga';
import { SagaRegistry } from '@cello/saga/definition/saga-registry';
import { compileSaga } from '@cello/saga/definition/saga-compiler';
import { resolveSagaOptions } from '@cello/saga/resolve-saga-options';
import { waitUntil } from '../support/eventually';
import { usePostgresDatabase } from '../support/postgres-database';

/** Calls of each step, by idempotency key: no step may run twice. */
const calls = new Map<string, number>();
/** The step `charge` waits here until the test lets it finish. */
let release: () => void = () => undefined;
let gate = Promise.resolve();

function closeGate(): void {
  gate = new Promise((resolve) => (release = resolve));
}

function step(name: string) {
  return new SagaStep({
    name,
    action: async ({ idempotencyKey }) => {
      calls.set(idempotencyKey, (calls.get(idempotencyKey) ?? 0) + 1);
      if (name === 'charge') await gate;
    },
    compensate: () => undefined,
  });
}

class PaymentSaga extends Saga {
  steps = [step('reserve'), step('charge'), step('ship')];
}

function runnerOn(storage: SagaStorage, options: SagaModuleOptions): SagaRunner {
  const resolved = resolveSagaOptions({ retryDelay: 0, ...options });
  const registry = new SagaRegistry();
  registry.register(compileSaga(new PaymentSaga(), resolved));
  return new SagaRunner(registry, storage, resolved);
}

async function chargeInFlight(storage: SagaStorage): Promise<string> {
  await waitUntil('a saga is charging', () => [...calls.keys()].some((k) => k.endsWith(':charge')));
  const key = [...calls.keys()].find((k) => k.endsWith(':charge'))!;
  const id = key.slice(0, -':charge'.length);
  expect((await storage.load(id))?.state.steps[1].status).toBe('running');
  return id;
}

function describeOwnLeases(name: string, open: () => Promise<SagaStorage>): void {
  describe(`on ${name}`, () => {
    let storages: SagaStorage[] = [];
    const storage = async () => {
      const opened = await open();
      storages.push(opened);
      return opened;
    };

    beforeEach(() => {
      calls.clear();
      closeGate();
    });

    afterEach(async () => {
      release();
      await Promise.all(storages.map((s) => s.close().catch(() => undefined)));
      storages = [];
    });

    describe('when recovery for its own instanceId runs during an in-flight execute()', () => {
      it('should leave the saga to its driver: execute() completes, each step ran once', async () => {
        // Given a saga started before bootstrap finished, mid-step
        const sagas = await storage();
        const runner = runnerOn(sagas, { instanceId: 'orders-1' });
        const result = runner.execute(PaymentSaga, {});
        const id = await chargeInFlight(sagas);
        // When start-up recovery runs, and recovery is asked for our own instanceId
        await runner.onApplicationBootstrap();
        const taken = await runner.recoverAbandoned(runner.instanceId);
        release();
        // Then nothing was taken over, and the saga completed normally
        expect(taken).toBe(0);
        await expect(result).resolves.toMatchObject({ success: true, status: 'completed' });
        expect(Object.fromEntries(calls)).toEqual({
          [`${id}:reserve`]: 1,
          [`${id}:charge`]: 1,
          [`${id}:ship`]: 1,
        });
        expect(await sagas.load(id)).toMatchObject({ fencingToken: 1 });
        await runner.onApplicationShutdown();
      });

      it('should leave it even when its lease expired under a long step', async () => {
        // Given a saga whose 100 ms lease lapsed (no renewals) while a step runs
        const sagas = await storage();
        const runner = runnerOn(sagas, { instanceId: 'orders-1', leaseTtl: 0.1, recovery: false });
        const result = runner.execute(PaymentSaga, {});
        const id = await chargeInFlight(sagas);
        await new Promise((r) => setTimeout(r, 250));
        // When this process scans for abandoned sagas
        const taken = await runner.recoverAbandoned(runner.instanceId);
        release();
        // Then it does not take the saga it drives itself
        expect(taken).toBe(0);
        await expect(result).resolves.toMatchObject({ success: true, status: 'completed' });
        expect([...calls.values()]).toEqual([1, 1, 1]);
        expect(await sagas.load(id)).toMatchObject({ fencingToken: 1 });
        await runner.onApplicationShutdown();
      });
    });

    describe('when a second live process starts with the same instanceId', () => {
      it('should refuse it with SagaInstanceIdInUseError and leave the first one its sagas', async () => {
        // Given a live process (heartbeat and lease renewals running) with a saga mid-step
        const first = runnerOn(await storage(), { instanceId: 'twin', leaseTtl: 2 });
        await first.onApplicationBootstrap();
        const result = first.execute(PaymentSaga, {});
        const id = await chargeInFlight(storages[0]);
        // When a second process with the same instanceId starts
        const second = runnerOn(await storage(), { instanceId: 'twin', leaseTtl: 2 });
        const refused = await second.onApplicationBootstrap().then(
          () => undefined,
          (error: unknown) => error,
        );
        // Then it is refused, and it took nothing
        expect(isCelloError(refused, SagaInstanceIdInUseError.code)).toBe(true);
        expect((refused as Error).message).toContain('"twin" is in use by another live process');
        expect(await second.recoverAbandoned(second.instanceId)).toBe(0);
        release();
        await expect(result).resolves.toMatchObject({ success: true, status: 'completed' });
        expect([...calls.values()]).toEqual([1, 1, 1]);
        expect(await storages[0].load(id)).toMatchObject({
          fencingToken: 1,
          leaseIncarnation: first.incarnation,
        });
        await first.onApplicationShutdown();
      });
    });

    describe('when the previous process with our instanceId stopped gracefully', () => {
      it('should start, and take its sagas at once', async () => {
        // Given a process that stopped with a saga mid-step (its lease still runs for 60 s)
        const first = runnerOn(await storage(), { instanceId: 'restarted', leaseTtl: 60 });
        await first.onApplicationBootstrap();
        void first.execute(PaymentSaga, {}).catch(() => undefined);
        const id = await chargeInFlight(storages[0]);
        release(); // its action ends, so the stop can prove that nothing of it still runs
        await first.onApplicationShutdown();
        // When it restarts
        const next = runnerOn(await storage(), { instanceId: 'restarted', leaseTtl: 60 });
        await next.onApplicationBootstrap();
        // Then the new process takes the saga over and finishes it
        await waitUntil('the saga is completed', async () => {
          return (await storages[1].load(id))?.status === 'completed';
        });
        expect(await storages[1].load(id)).toMatchObject({ leaseIncarnation: next.incarnation });
        expect(calls.get(`${id}:reserve`)).toBe(1);
        await next.onApplicationShutdown();
      });
    });
  });
}

describe('A saga process and its own leases', () => {
  const memory = new MemorySagaStorage();
  // One storage shared by the "processes", as a database would be.
  describeOwnLeases('memory', async () =>
    Object.assign(Object.create(memory) as MemorySagaStorage, { close: async () => {} }),
  );

  describe('PostgreSQL', () => {
    const db = usePostgresDatabase();
    describeOwnLeases('PostgreSQL', () => PostgresSagaStorage.fromUrl(db.url, { poolSize: 4 }));
  });
});
