import { compileSaga } from '@cello/saga/definition/saga-compiler';
import { SagaRegistry } from '@cello/saga/definition/saga-registry';
import { Saga } from '@cello/saga/decorators/saga.decorator';
import { SagaStep } from '@cello/saga/decorators/saga-step.decorator';
import { NonRetryableError } from '@cello/saga/errors/non-retryable.error';
import { resolveSagaOptions } from '@cello/saga/resolve-saga-options';
import {
  MAX_SAGA_ATTEMPTS,
  recordAttempt,
  type SagaAttempt,
} from '@cello/saga/runner/saga-attempt';
import { SagaRunner } from '@cello/saga/runner/saga-runner';
import { MemorySagaStorage } from '@cello/saga/storage/memory/memory-saga-storage';

let chargeFailures = 0;

class ShipOrderSaga extends Saga {
  steps = [
    new SagaStep({
      name: 'charge',
      maxRetries: 3,
      action: () => {
        if (chargeFailures-- > 0) throw new Error('card network busy');
      },
      compensate: () => undefined,
    }),
    new SagaStep({
      name: 'ship',
      action: () => {
        throw new NonRetryableError('no courier');
      },
    }),
  ];
}

function runnerOn(storage = new MemorySagaStorage()) {
  const options = resolveSagaOptions({ recovery: false, retryDelay: 1, maxRetryDelay: 2 });
  const registry = new SagaRegistry();
  registry.register(compileSaga(new ShipOrderSaga(), options));
  return { runner: new SagaRunner(registry, storage, options), options };
}

describe('the attempt history of a saga', () => {
  describe('when a step is retried, a later one fails and the first is compensated', () => {
    it('should keep every attempt in order with times, duration, error, idempotency key and owner', async () => {
      // Given
      chargeFailures = 1;
      const { runner, options } = runnerOn();

      // When
      const result = await runner.execute(ShipOrderSaga, {});

      // Then
      expect(result.status).toBe('compensated');
      const view = await runner.getStatus(result.sagaId);
      expect(view.attempts.map((a) => [a.kind, a.step, a.attempt, a.outcome, a.error])).toEqual([
        ['step', 'charge', 1, 'failed', 'card network busy'],
        ['step', 'charge', 2, 'succeeded', null],
        ['step', 'ship', 1, 'failed', 'no courier'],
        ['compensation', 'charge', 1, 'succeeded', null],
      ]);
      for (const attempt of view.attempts) {
        expect(Date.parse(attempt.endedAt)).toBeGreaterThanOrEqual(Date.parse(attempt.startedAt));
        expect(attempt.durationMs).toBe(
          Date.parse(attempt.endedAt) - Date.parse(attempt.startedAt),
        );
        expect(attempt.owner).toBe(options.instanceId);
      }
      expect(view.attempts[0].idempotencyKey).toBe(`${result.sagaId}:charge`);
      expect(view.attempts[3].idempotencyKey).toBe(`${result.sagaId}:charge:compensate`);
    });
  });

  describe('when more attempts are recorded than the history keeps', () => {
    it(`should keep only the newest ${MAX_SAGA_ATTEMPTS}`, () => {
      // Given
      const attempts: SagaAttempt[] = [];

      // When
      for (let n = 1; n <= MAX_SAGA_ATTEMPTS + 5; n++) {
        recordAttempt(attempts, { ...SAMPLE, attempt: n });
      }

      // Then
      expect(attempts).toHaveLength(MAX_SAGA_ATTEMPTS);
      expect(attempts[0].attempt).toBe(6);
      expect(attempts[MAX_SAGA_ATTEMPTS - 1].attempt).toBe(MAX_SAGA_ATTEMPTS + 5);
    });
  });
});

const SAMPLE: SagaAttempt = {
  step: 'charge',
  kind: 'step',
  attempt: 1,
  startedAt: '2026-01-01T00:00:00.000Z',
  endedAt: '2026-01-01T00:00:00.010Z',
  durationMs: 10,
  outcome: 'failed',
  error: 'busy',
  idempotencyKey: 's:charge',
  owner: 'i',
};
