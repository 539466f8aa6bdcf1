import { isCelloError } from '@cello/core';
import { compileSaga } from '@cello/saga/definition/saga-compiler';
import { SagaRegistry } from '@cello/saga/definition/saga-registry';
import { Saga } from '@cello/saga/decorators/saga.decorator';
import { SagaStep } from '@cello/saga/decorators/saga-step.decorator';
import { InvalidSagaIdError } from '@cello/saga/errors/invalid-saga-id.error';
import { SagaIdConflictError } from '@cello/saga/errors/saga-id-conflict.error';
import { SagaRunnerStoppedError } from '@cello/saga/errors/saga-runner-stopped.error';
import { resolveSagaOptions } from '@cello/saga/resolve-saga-options';
import { MemorySagaStorage } from '@cello/saga/storage/memory/memory-saga-storage';
import { SagaRunner } from '@cello/saga/runner/saga-runner';

/** What the steps did, by saga id: a retried request must not charge twice. */
const charges: string[] = [];
let release: (() => void) | undefined;

class FulfilOrderSaga extends Saga {
  steps = [
    new SagaStep<{ orderId: string }>({
      name: 'charge',
      action: ({ sagaId }) => void charges.push(sagaId),
    }),
    new SagaStep({
      name: 'ship',
      // Held while `release` is set: a saga still running when the retry comes.
      action: () => (release ? new Promise<void>((resolve) => (release = resolve)) : undefined),
    }),
  ];
}

class RefundOrderSaga extends Saga {
  steps = [new SagaStep({ name: 'refund', action: () => undefined })];
}

function runnerOn(storage = new MemorySagaStorage()) {
  const options = resolveSagaOptions({ recovery: false });
  const registry = new SagaRegistry();
  registry.register(compileSaga(new FulfilOrderSaga(), options));
  registry.register(compileSaga(new RefundOrderSaga(), options));
  return new SagaRunner(registry, storage, options);
}

describe('SagaRunner with caller-chosen saga ids', () => {
  beforeEach(() => {
    charges.length = 0;
    release = undefined;
  });

  describe('when execute is called again with the id of a finished saga', () => {
    it('should return its result and run no step again', async () => {
      // Given
      const runner = runnerOn();
      const first = await runner.execute(
        FulfilOrderSaga,
        { orderId: 'o-1' },
        { sagaId: 'fulfil-o-1' },
      );

      // When the client retries
      const again = await runner.execute(
        FulfilOrderSaga,
        { orderId: 'o-1' },
        { sagaId: 'fulfil-o-1' },
      );

      // Then
      expect(first).toMatchObject({ success: true, sagaId: 'fulfil-o-1', status: 'completed' });
      expect(again).toMatchObject({
        success: true,
        sagaId: 'fulfil-o-1',
        status: 'completed',
        stepsCompleted: ['charge', 'ship'],
        context: { orderId: 'o-1' },
      });
      expect(charges).toEqual(['fulfil-o-1']);
    });
  });

  describe('when the retry comes while the first call is still running', () => {
    it('should wait for that saga and give both callers its result', async () => {
      // Given a first call held in its second step
      const runner = runnerOn();
      release = () => undefined;
      const first = runner.execute(FulfilOrderSaga, { orderId: 'o-2' }, { sagaId: 'fulfil-o-2' });
      while (charges.length === 0) await new Promise((resolve) => setImmediate(resolve));

      // When
      const retried = runner.execute(FulfilOrderSaga, { orderId: 'o-2' }, { sagaId: 'fulfil-o-2' });
      await new Promise((resolve) => setTimeout(resolve, 50));
      release();

      // Then
      const [a, b] = await Promise.all([first, retried]);
      expect(a.status).toBe('completed');
      expect(b).toMatchObject({ sagaId: 'fulfil-o-2', status: 'completed', success: true });
      expect(charges).toEqual(['fulfil-o-2']);
    });
  });

  describe('when start is called twice with one id', () => {
    it('should return the id both times and start one saga', async () => {
      // Given
      const runner = runnerOn();

      // When
      const ids = await Promise.all([
        runner.start(FulfilOrderSaga, { orderId: 'o-3' }, { sagaId: 'fulfil-o-3' }),
        runner.start(FulfilOrderSaga, { orderId: 'o-3' }, { sagaId: 'fulfil-o-3' }),
      ]);
      while ((await runner.getStatus('fulfil-o-3')).status !== 'completed') {
        await new Promise((resolve) => setTimeout(resolve, 5));
      }

      // Then
      expect(ids).toEqual(['fulfil-o-3', 'fulfil-o-3']);
      expect(charges).toEqual(['fulfil-o-3']);
    });
  });

  describe('when the id belongs to a saga of another kind', () => {
    it('should throw SagaIdConflictError naming both kinds, and run nothing', async () => {
      // Given
      const runner = runnerOn();
      await runner.execute(RefundOrderSaga, {}, { sagaId: 'o-4' });

      // When
      const error = await runner
        .execute(FulfilOrderSaga, { orderId: 'o-4' }, { sagaId: 'o-4' })
        .catch((e: unknown) => e);

      // Then
      expect(isCelloError(error, SagaIdConflictError.code)).toBe(true);
      expect((error as Error).message).toMatch(/"RefundOrderSaga".*"FulfilOrderSaga"/);
      expect(charges).toEqual([]);
    });
  });

  describe('when the id cannot be stored', () => {
    it.each([
      ['empty', ''],
      ['too long', 'x'.repeat(192)],
      ['with a NUL', 'a\u0000b'],
      ['not a string', 42 as unknown as string],
    ])(
      'should throw InvalidSagaIdError for an id %s, before anything is stored',
      async (_, sagaId) => {
        // Given
        const storage = new MemorySagaStorage();
        const runner = runnerOn(storage);

        // When
        const error = await runner
          .execute(FulfilOrderSaga, { orderId: 'o-5' }, { sagaId })
          .catch((e: unknown) => e);

        // Then
        expect(isCelloError(error, InvalidSagaIdError.code)).toBe(true);
        expect(await storage.list()).toEqual([]);
      },
    );
  });

  describe('when the runner shuts down while a caller waits for the saga of another caller', () => {
    it('should reject the wait with SagaRunnerStoppedError', async () => {
      // Given a saga held in its second step, and a retry waiting for it
      const runner = runnerOn();
      release = () => undefined;
      const first = runner
        .execute(FulfilOrderSaga, { orderId: 'o-6' }, { sagaId: 'fulfil-o-6' })
        .catch((e: unknown) => e);
      while (charges.length === 0) await new Promise((resolve) => setImmediate(resolve));
      const waiting = runner
        .execute(FulfilOrderSaga, { orderId: 'o-6' }, { sagaId: 'fulfil-o-6' })
        .catch((e: unknown) => e);
      await new Promise((resolve) => setTimeout(resolve, 30));

      // When
      const shutdown = runner.onApplicationShutdown();
      release();
      await shutdown;

      // Then
      expect(isCelloError(await waiting, SagaRunnerStoppedError.code)).toBe(true);
      await first;
    });
  });
});
