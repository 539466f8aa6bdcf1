import { compileSaga } from '@cello/saga/definition/saga-compiler';
import { SagaRegistry } from '@cello/saga/definition/saga-registry';
import { Saga } from '@cello/saga/decorators/saga.decorator';
import { SagaStep } from '@cello/saga/decorators/saga-step.decorator';
import { resolveSagaOptions } from '@cello/saga/resolve-saga-options';
import type { SagaModuleOptions } from '@cello/saga/saga-module-options';
import { MemorySagaStorage } from '@cello/saga/storage/memory/memory-saga-storage';
import { SagaRunner } from '@cello/saga/runner/saga-runner';

/** Effects, as a payment API with idempotency keys would record them. */
const effects = new Map<string, string>();
let hang = true;

function step(name: string, onInterrupted?: 'retry' | 'compensate') {
  return new SagaStep({
    name,
    onInterrupted,
    action: async ({ idempotencyKey }) => {
      effects.set(idempotencyKey, name);
      // The first process dies inside this step (never returns).
      if (name === 'charge' && hang) await new Promise(() => undefined);
    },
    compensate: ({ idempotencyKey }) => {
      effects.set(idempotencyKey, `undo ${name}`);
    },
  });
}

class RetryingSaga extends Saga {
  steps = [step('reserve'), step('charge'), step('ship')];
}

class CompensatingSaga extends Saga {
  steps = [step('reserve'), step('charge', 'compensate'), step('ship')];
}

function runner(storage: MemorySagaStorage, options: SagaModuleOptions): SagaRunner {
  const resolved = resolveSagaOptions({ retryDelay: 0, leaseTtl: 0.1, ...options });
  const registry = new SagaRegistry();
  registry.register(compileSaga(new RetryingSaga(), resolved));
  registry.register(compileSaga(new CompensatingSaga(), resolved));
  return new SagaRunner(registry, storage, resolved);
}

/** Starts a saga in a first runner that then "dies" mid-step (stops without writing). */
async function crashMidStep(
  storage: MemorySagaStorage,
  type: typeof RetryingSaga,
  options: SagaModuleOptions = {},
) {
  hang = true;
  const first = runner(storage, { instanceId: 'first', recovery: false, ...options });
  const id = await first.start(type, {});
  while ((await storage.load(id))?.state.steps[1].status !== 'running') {
    await new Promise((r) => setTimeout(r, 5));
  }
  await first.onApplicationShutdown();
  hang = false;
  await new Promise((r) => setTimeout(r, 150)); // its lease expires
  return id;
}

async function settle(storage: MemorySagaStorage, id: string) {
  const second = runner(storage, { instanceId: 'second', recovery: false });
  expect(await second.recoverAbandoned()).toBe(1);
  while (['running', 'compensating'].includes((await storage.load(id))!.status)) {
    await new Promise((r) => setTimeout(r, 5));
  }
  return (await storage.load(id))!;
}

describe('Saga recovery after a crash', () => {
  beforeEach(() => effects.clear());

  describe('when the interrupted step retries (the default)', () => {
    it('should run it again with the same idempotency key and complete', async () => {
      // Given
      const storage = new MemorySagaStorage();
      const id = await crashMidStep(storage, RetryingSaga);
      // When
      const record = await settle(storage, id);
      // Then
      expect(record.status).toBe('completed');
      expect(record.state.steps[1].attempts).toBe(2);
      expect([...effects.entries()]).toEqual([
        [`${id}:reserve`, 'reserve'],
        [`${id}:charge`, 'charge'],
        [`${id}:ship`, 'ship'],
      ]);
    });
  });

  describe("when the interrupted step's policy is to compensate", () => {
    it('should compensate it and the steps before it, each once', async () => {
      // Given
      const storage = new MemorySagaStorage();
      const id = await crashMidStep(storage, CompensatingSaga);
      // When
      const record = await settle(storage, id);
      // Then
      expect(record.status).toBe('compensated');
      expect(record.state.error).toBe('the step was interrupted by a crash');
      expect(effects.get(`${id}:charge:compensate`)).toBe('undo charge');
      expect(effects.get(`${id}:reserve:compensate`)).toBe('undo reserve');
      expect(effects.has(`${id}:ship`)).toBe(false);
    });
  });

  describe('when the interrupted step has no retry left', () => {
    it('should compensate it too (its lost attempt may have had its effect), then the steps before', async () => {
      // Given a step allowed no retry, whose only attempt is lost to a crash
      const storage = new MemorySagaStorage();
      const id = await crashMidStep(storage, RetryingSaga, { maxRetries: 0 });
      // When another instance recovers the saga
      const record = await settle(storage, id);
      // Then the charge that may have happened is refunded, and the reservation released
      expect(record.status).toBe('compensated');
      expect(record.state.error).toBe('the step was interrupted on every attempt');
      expect(effects.get(`${id}:charge:compensate`)).toBe('undo charge');
      expect(effects.get(`${id}:reserve:compensate`)).toBe('undo reserve');
      expect(effects.has(`${id}:ship`)).toBe(false);
    });
  });

  describe('when a step runs longer than the lease', () => {
    it('should renew the lease so that no other instance takes the saga', async () => {
      // Given a step that outlasts its 300 ms lease, renewed by a live runner
      const storage = new MemorySagaStorage();
      hang = true;
      const first = runner(storage, { instanceId: 'first', leaseTtl: 0.3, recoveryInterval: 10 });
      first.onApplicationBootstrap();
      const id = await first.start(RetryingSaga, {});
      const second = runner(storage, { instanceId: 'second', recovery: false });
      // When the other instance scans throughout
      let takenOver = 0;
      for (let i = 0; i < 10; i += 1) {
        await new Promise((r) => setTimeout(r, 100));
        takenOver += await second.recoverAbandoned();
      }
      // Then
      expect(takenOver).toBe(0);
      expect((await storage.load(id))?.leaseOwner).toBe('first');
      await first.onApplicationShutdown();
    });
  });

  describe('when a lease is still live', () => {
    it('should not be taken over', async () => {
      // Given a saga whose process is alive (lease renewed)
      const storage = new MemorySagaStorage();
      hang = true;
      const first = runner(storage, { instanceId: 'first', leaseTtl: 60, recovery: false });
      await first.start(RetryingSaga, {});
      // When another instance scans
      const second = runner(storage, { instanceId: 'second', recovery: false });
      // Then
      expect(await second.recoverAbandoned()).toBe(0);
      await first.onApplicationShutdown();
    });
  });
});
