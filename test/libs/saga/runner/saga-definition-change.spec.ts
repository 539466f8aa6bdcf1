import { isCelloError } from '@cello/core';
import { Logger } from '@nestjs/common';
import { compileSaga } from '@cello/saga/definition/saga-compiler';
import { SagaRegistry } from '@cello/saga/definition/saga-registry';
import { Saga } from '@cello/saga/decorators/saga.decorator';
import { SagaStep } from '@cello/saga/decorators/saga-step.decorator';
import { SagaDefinitionChangedError } from '@cello/saga/errors/saga-definition-changed.error';
import { resolveSagaOptions } from '@cello/saga/resolve-saga-options';
import { MemorySagaStorage } from '@cello/saga/storage/memory/memory-saga-storage';
import { SagaRunner } from '@cello/saga/runner/saga-runner';

const ran: string[] = [];
let hang = false;

function step(name: string) {
  return new SagaStep({
    name,
    action: async () => {
      ran.push(name);
      // The first version's process dies inside "charge" (never returns).
      if (name === 'charge' && hang) await new Promise(() => undefined);
    },
    compensate: () => void ran.push(`undo ${name}`),
  });
}

/** Version 1 of the saga... */
class CheckoutSaga extends Saga {
  steps = [step('reserve'), step('charge'), step('ship')];
}

/** ...and version 2, deployed while a version-1 saga was in "charge": a step added before it. */
class CheckoutSagaV2 extends Saga {
  steps = [step('reserve'), step('check-fraud'), step('charge'), step('ship')];
}

function runnerFor(
  storage: MemorySagaStorage,
  sagaClass: typeof CheckoutSaga,
  instanceId: string,
): SagaRunner {
  const options = resolveSagaOptions({ retryDelay: 0, leaseTtl: 0.1, recovery: false, instanceId });
  const registry = new SagaRegistry();
  // Both versions are registered under the name the first one had.
  registry.register({ ...compileSaga(new sagaClass(), options), name: 'CheckoutSaga' });
  return new SagaRunner(registry, storage, options);
}

describe('when a saga is recovered by a version of the app whose steps changed', () => {
  it('should leave it untouched, run no step and log which steps differ', async () => {
    // Given a version-1 process that died in "charge"
    const storage = new MemorySagaStorage();
    hang = true;
    const v1 = runnerFor(storage, CheckoutSaga, 'v1');
    const id = await v1.start(CheckoutSaga, {});
    while ((await storage.load(id))?.state.steps[1].status !== 'running') {
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    await v1.onApplicationShutdown();
    hang = false;
    await new Promise((resolve) => setTimeout(resolve, 150)); // its lease expires
    ran.length = 0;
    const errors = jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);

    // When a version-2 instance recovers abandoned sagas
    const v2 = runnerFor(storage, CheckoutSagaV2, 'v2');
    const recovered = await v2.recoverAbandoned();

    // Then
    expect(recovered).toBe(0);
    expect(ran).toEqual([]);
    expect(errors.mock.calls.map(([message]) => String(message)).join('\n')).toMatch(
      /started with the steps \[reserve, charge, ship\].*defines \[reserve, check-fraud, charge, ship\]/,
    );
    const stored = await storage.load(id);
    expect(stored?.status).toBe('running');
    expect(stored?.state.steps.map((s) => s.status)).toEqual(['completed', 'running', 'pending']);
    errors.mockRestore();
    await v2.onApplicationShutdown();
  });

  it('should refuse a compensation retry with SagaDefinitionChangedError', async () => {
    // Given a version-1 saga stored as compensation_failed
    const storage = new MemorySagaStorage();
    const v1 = runnerFor(storage, CheckoutSaga, 'v1');
    const { sagaId } = await v1.execute(CheckoutSaga, {});
    const record = (await storage.load(sagaId))!;
    await storage.save({
      id: sagaId,
      status: 'compensation_failed',
      state: { ...record.state, status: 'compensation_failed' },
      context: record.context,
      owner: 'v1',
      fencingToken: record.fencingToken,
      leaseTtlMs: 0,
    });
    await v1.onApplicationShutdown();
    ran.length = 0;

    // When version 2 is asked to retry its compensations
    const v2 = runnerFor(storage, CheckoutSagaV2, 'v2');
    const error = await v2.retryCompensation(sagaId).catch((e: unknown) => e);

    // Then
    expect(isCelloError(error, SagaDefinitionChangedError.code)).toBe(true);
    expect(ran).toEqual([]);
    await v2.onApplicationShutdown();
  });
});
