import { CelloMetrics, isCelloError } from '@cello/core';
import { Logger } from '@nestjs/common';
import { Registry } from 'prom-client';
import { compileSaga } from '@cello/saga/definition/saga-compiler';
import { SagaRegistry } from '@cello/saga/definition/saga-registry';
import { Saga } from '@cello/saga/decorators/saga.decorator';
import { SagaStep } from '@cello/saga/decorators/saga-step.decorator';
import { SagaCorruptError } from '@cello/saga/errors/saga-corrupt.error';
import { SagaMachine } from '@cello/saga/machine/saga-machine';
import type { SagaMachineState } from '@cello/saga/machine/saga-machine.types';
import { resolveSagaOptions } from '@cello/saga/resolve-saga-options';
import { MemorySagaStorage } from '@cello/saga/storage/memory/memory-saga-storage';
import { SagaRunner } from '@cello/saga/runner/saga-runner';

const ran: string[] = [];

function step(name: string) {
  return new SagaStep({
    name,
    action: () => void ran.push(name),
    compensate: () => void ran.push(`undo ${name}`),
  });
}

class CheckoutSaga extends Saga {
  steps = [step('reserve'), step('charge'), step('ship')];
}

function runnerFor(storage: MemorySagaStorage, instanceId: string, metrics?: CelloMetrics) {
  const options = resolveSagaOptions({ retryDelay: 0, leaseTtl: 0.1, recovery: false, instanceId });
  const registry = new SagaRegistry();
  registry.register(compileSaga(new CheckoutSaga(), options));
  return new SagaRunner(registry, storage, options, metrics);
}

/** Stores a saga as an instance that died would have left it: unfinished, lease lapsed. */
async function abandoned(storage: MemorySagaStorage, id: string, state: unknown): Promise<void> {
  await storage.create({
    id,
    sagaName: 'CheckoutSaga',
    status: 'running',
    state: state as SagaMachineState,
    context: {},
    owner: 'dead-instance',
    fencingToken: 1,
    leaseTtlMs: 0,
  });
}

/** The state of a healthy saga whose first step was in flight. */
function midwayState(): SagaMachineState {
  const options = resolveSagaOptions({ retryDelay: 0 });
  const definition = compileSaga(new CheckoutSaga(), options).machine;
  return SagaMachine.transition(SagaMachine.init(definition), { type: 'start', nowMs: Date.now() })
    .state;
}

describe('when a saga row holds a state that cannot be read', () => {
  afterEach(() => jest.restoreAllMocks());

  it('should quarantine it as corrupt (logged and counted once), and recover the healthy ones', async () => {
    // Given a healthy abandoned saga among corrupt ones (a step index out of range,
    // more step progress than steps, a state that is not a state at all)
    const storage = new MemorySagaStorage();
    const healthy = midwayState();
    await abandoned(storage, 'healthy', healthy);
    await abandoned(storage, 'index-out-of-range', {
      ...healthy,
      inFlight: { type: 'run_step', index: 9, attempt: 1, delayMs: 0 },
    });
    await abandoned(storage, 'extra-steps', {
      ...healthy,
      steps: [...healthy.steps, ...healthy.steps],
    });
    await abandoned(storage, 'not-a-state', 'not a state');
    await new Promise((resolve) => setTimeout(resolve, 5)); // every lease has lapsed
    const errors = jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
    const metrics = new CelloMetrics({ registry: new Registry() });
    const first = runnerFor(storage, 'instance-a', metrics);
    const second = runnerFor(storage, 'instance-b', metrics);
    ran.length = 0;

    // When both instances scan for abandoned sagas, again and again
    for (let scan = 0; scan < 3; scan++) {
      await first.recoverAbandoned();
      await second.recoverAbandoned();
      await new Promise((resolve) => setTimeout(resolve, 150)); // any lease taken lapses
    }
    await first.onApplicationShutdown();
    await second.onApplicationShutdown();

    // Then the healthy saga finished
    expect((await storage.load('healthy'))?.status).toBe('completed');
    expect(ran).toEqual(['reserve', 'charge', 'ship']);
    // ... each corrupt one is quarantined, its state kept for an operator
    const corrupt = ['index-out-of-range', 'extra-steps', 'not-a-state'];
    for (const id of corrupt) expect((await storage.load(id))?.status).toBe('corrupt');
    expect((await storage.load('not-a-state'))?.state).toBe('not a state');
    // ... never claimed again, whoever scans
    expect(await storage.claimAbandoned('anyone', 1000, 100)).toEqual([]);
    // ... logged once each, with its id and reason
    const logged = errors.mock.calls.map(([message]) => String(message));
    for (const id of corrupt) {
      expect(logged.filter((line) => line.includes(`Saga ${id} `))).toHaveLength(1);
    }
    expect(logged.join('\n')).toMatch(/index-out-of-range.*step #9, out of range/);
    expect(logged.join('\n')).toMatch(/extra-steps.*progress for 6 steps but its definition has 3/);
    // ... and counted
    const counted = await metrics.sagasQuarantined!.get();
    expect(counted.values).toEqual([
      expect.objectContaining({ labels: { saga: 'CheckoutSaga' }, value: 3 }),
    ]);
  });

  it('should answer getStatus and list with status corrupt and the reason', async () => {
    // Given a quarantined saga
    const storage = new MemorySagaStorage();
    const healthy = midwayState();
    await abandoned(storage, 'broken', { ...healthy, failedStep: 42 });
    await new Promise((resolve) => setTimeout(resolve, 5));
    jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
    const runner = runnerFor(storage, 'instance-a');
    await runner.recoverAbandoned();

    // When its status is asked for
    const view = await runner.getStatus('broken');
    const listed = await runner.list({ status: 'corrupt' });

    // Then
    expect(view).toMatchObject({
      sagaId: 'broken',
      status: 'corrupt',
      steps: [],
      error: expect.stringMatching(/unreadable.*failed step #42 is out of range/),
    });
    expect(listed.map((saga) => saga.sagaId)).toEqual(['broken']);
    // ... and a repeated start with its id says what is wrong instead of waiting for ever
    const repeated = await runner.execute(CheckoutSaga, {}, { sagaId: 'broken' }).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(isCelloError(repeated, SagaCorruptError.code)).toBe(true);
    await runner.onApplicationShutdown();
  });
});
