import { Logger } from '@nestjs/common';
import { isCelloError } from '@cello/core';
import { compileSaga } from '@cello/saga/definition/saga-compiler';
import { SagaRegistry } from '@cello/saga/definition/saga-registry';
import { Saga } from '@cello/saga/decorators/saga.decorator';
import { SagaStep } from '@cello/saga/decorators/saga-step.decorator';
import { SagaLeaseLostError } from '@cello/saga/errors/saga-lease-lost.error';
import { SagaStorageUnavailableError } from '@cello/saga/errors/saga-storage-unavailable.error';
import { resolveSagaOptions } from '@cello/saga/resolve-saga-options';
import type { SagaModuleOptions } from '@cello/saga/saga-module-options';
import { MemorySagaStorage } from '@cello/saga/storage/memory/memory-saga-storage';
import { SagaRunner } from '@cello/saga/runner/saga-runner';

/** Calls of each step by idempotency key, and the most that ran at once. */
const calls = new Map<string, number>();
const running = new Map<string, number>();
let mostAtOnce = 0;
let release: () => void = () => undefined;
let gate = Promise.resolve();

function step(name: string) {
  return new SagaStep({
    name,
    action: async ({ idempotencyKey }) => {
      calls.set(idempotencyKey, (calls.get(idempotencyKey) ?? 0) + 1);
      running.set(idempotencyKey, (running.get(idempotencyKey) ?? 0) + 1);
      mostAtOnce = Math.max(mostAtOnce, running.get(idempotencyKey)!);
      try {
        if (name === 'charge') await gate;
      } finally {
        running.set(idempotencyKey, running.get(idempotencyKey)! - 1);
      }
    },
  });
}

class ChargeSaga extends Saga {
  steps = [step('reserve'), step('charge'), step('ship')];
}

function runnerOn(storage: MemorySagaStorage, options: SagaModuleOptions): SagaRunner {
  const resolved = resolveSagaOptions({ retryDelay: 0, leaseTtl: 0.3, ...options });
  const registry = new SagaRegistry();
  registry.register(compileSaga(new ChargeSaga(), resolved));
  return new SagaRunner(registry, storage, resolved);
}

async function until(what: string, check: () => boolean | Promise<boolean>): Promise<void> {
  const end = Date.now() + 20_000;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting until ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

async function chargeInFlight(): Promise<string> {
  await until('a saga is charging', () => (running.get([...running.keys()][1]) ?? 0) > 0);
  return [...calls.keys()][1].replace(/:charge$/, '');
}

describe('The saga heartbeat of a process', () => {
  let runners: SagaRunner[] = [];

  beforeEach(() => {
    calls.clear();
    running.clear();
    mostAtOnce = 0;
    gate = new Promise((resolve) => (release = resolve));
  });

  afterEach(async () => {
    release();
    jest.restoreAllMocks();
    await Promise.all(runners.map((r) => r.onApplicationShutdown()));
    runners = [];
  });

  describe('when a twin with the same instanceId is noticed only after start-up', () => {
    it('should log it as an error, and neither takes the other one’s saga', async () => {
      // Given a live process with a saga mid-step
      const storage = new MemorySagaStorage();
      const first = runnerOn(storage, { instanceId: 'twin' });
      runners.push(first);
      await first.onApplicationBootstrap();
      const result = first.execute(ChargeSaga, {});
      const id = await chargeInFlight();
      // When a second one starts while its storage cannot answer the first heartbeat
      const errors = jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
      jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
      const flaky = Object.create(storage) as MemorySagaStorage;
      let failures = 1;
      flaky.heartbeat = (...args) =>
        failures-- > 0
          ? Promise.reject(new SagaStorageUnavailableError('heartbeat'))
          : storage.heartbeat(...args);
      flaky.close = async () => undefined;
      const second = runnerOn(flaky, { instanceId: 'twin' });
      runners.push(second);
      await second.onApplicationBootstrap();
      // Then its heartbeat reports the twin loudly
      await until('the twin is reported', () =>
        errors.mock.calls.some(([message]) =>
          String(message).includes('"twin" is in use by another live process'),
        ),
      );
      // and the first process keeps its saga and finishes it, each step once
      expect(await second.recoverAbandoned()).toBe(0);
      release();
      await expect(result).resolves.toMatchObject({ success: true });
      expect([...calls.values()]).toEqual([1, 1, 1]);
      expect(await storage.load(id)).toMatchObject({ fencingToken: 1 });
    });
  });

  describe('when the heartbeat of a process lapsed while a step runs', () => {
    it('should stop driving the saga, and take it again only once that step settled', async () => {
      // Given a process with a step in flight
      const storage = new MemorySagaStorage();
      const runner = runnerOn(storage, { instanceId: 'stalled', recoveryInterval: 0.05 });
      runners.push(runner);
      await runner.onApplicationBootstrap();
      jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
      jest.spyOn(Logger.prototype, 'log').mockImplementation(() => undefined);
      const result = runner.execute(ChargeSaga, {}).catch((error: unknown) => error);
      const id = await chargeInFlight();
      const before = runner.incarnation;
      // When its heartbeat lapses (as if the event loop had stalled for a whole lease)
      await storage.retireIncarnation(before);
      // Then it stops driving the saga and goes on as a new incarnation
      expect(isCelloError(await result, SagaLeaseLostError.code)).toBe(true);
      expect(runner.incarnation).not.toBe(before);
      // and while the halted step still runs, nobody here takes the saga again
      expect(await runner.recoverAbandoned()).toBe(0);
      expect(await storage.load(id)).toMatchObject({ fencingToken: 1 });
      // Once the step settled, recovery finishes the saga; the step never ran twice at once
      release();
      await until('the saga is completed', async () => {
        return (await storage.load(id))?.status === 'completed';
      });
      expect(await storage.load(id)).toMatchObject({ leaseIncarnation: runner.incarnation });
      expect(mostAtOnce).toBe(1);
      expect(calls.get(`${id}:reserve`)).toBe(1);
      expect(calls.get(`${id}:ship`)).toBe(1);
    });
  });
});
