import { randomUUID } from 'node:crypto';
import { isCelloError } from '@cello/core';
import {
  InvalidSagaContextError,
  MemorySagaStorage,
  NonRetryableError,
  PostgresSagaStorage,
  Saga,
  SagaStep,
  type SagaStorage,
} from '@cello/saga';
import { compileSaga } from '@cello/saga/definition/saga-compiler';
import { SagaRegistry } from '@cello/saga/definition/saga-registry';
import { resolveSagaOptions } from '@cello/saga/resolve-saga-options';
import { SagaRunner } from '@cello/saga/runner/saga-runner';
import { usePostgresDatabase } from '../support/postgres-database';

let stepRuns = 0;

class ShipSaga extends Saga {
  steps = [new SagaStep({ name: 'ship', action: () => void (stepRuns += 1) })];
}

/** Its step puts a value no storage can hold into the context. */
class PoisoningSaga extends Saga {
  steps = [
    new SagaStep({
      name: 'poison',
      action: ({ context }) => {
        stepRuns += 1;
        (context as { note?: string }).note = 'bad \u0000 byte';
      },
      maxRetries: 5,
    }),
  ];
}

/** Its step fails with a message echoing input no storage can hold (a NUL, a lone surrogate). */
class EchoingFailureSaga extends Saga {
  steps = [
    new SagaStep({
      name: 'charge',
      action: () => {
        stepRuns += 1;
        throw new NonRetryableError('card "\u0000\ud800" declined');
      },
    }),
  ];
}

function runnerOn(storage: SagaStorage): SagaRunner {
  const options = resolveSagaOptions({ recovery: false, retryDelay: 0.001 });
  const registry = new SagaRegistry();
  registry.register(compileSaga(new ShipSaga(), options));
  registry.register(compileSaga(new PoisoningSaga(), options));
  registry.register(compileSaga(new EchoingFailureSaga(), options));
  return new SagaRunner(registry, storage, options);
}

function describeContextRefusal(name: string, open: () => Promise<SagaStorage>): void {
  describe(`SagaRunner on ${name}`, () => {
    let storage: SagaStorage;
    let runner: SagaRunner;

    beforeEach(async () => {
      storage = await open();
      runner = runnerOn(storage);
      stepRuns = 0;
    });

    afterEach(async () => {
      await runner.onApplicationShutdown();
      await storage.close();
    });

    const cycle: Record<string, unknown> = {};
    cycle.again = cycle;
    describe.each([
      ['a lone surrogate', { customer: { name: '\ud800x' } }, 'context.customer.name'],
      ['a NUL character', { customer_id: 'a\u0000' }, 'context.customer_id'],
      ['a function', { total: 1, format: () => '1' }, 'context.format'],
      ['a BigInt', { amount: 12n }, 'context.amount'],
      ['NaN', { amount: NaN }, 'context.amount'],
      ['undefined in an array', { items: ['a', undefined] }, 'context.items[1]'],
      ['a cycle', cycle, 'context.again'],
      ['a Map', { lines: new Map() }, 'context.lines'],
    ])('when the context holds %s', (_, context, path) => {
      it.each(['execute', 'start'] as const)(
        'should refuse it on %s, naming the path, and write nothing',
        async (method) => {
          // Given
          const sagaId = `refused-${randomUUID()}`;
          // When
          const attempt = runner[method](ShipSaga, context, { sagaId });
          // Then
          const error: unknown = await attempt.then(
            () => undefined,
            (e: unknown) => e,
          );
          expect(isCelloError(error, InvalidSagaContextError.code)).toBe(true);
          expect((error as InvalidSagaContextError).path).toBe(path);
          expect((error as Error).message).toContain(path);
          expect(await storage.load(sagaId)).toBeUndefined();
          expect(stepRuns).toBe(0);
        },
      );
    });

    describe('when a step fails with a message holding a NUL and a lone surrogate', () => {
      it('should store the failure with those characters replaced, and finish', async () => {
        // Given
        const sagaId = `echo-${randomUUID()}`;
        // When
        const result = await runner.execute(EchoingFailureSaga, {}, { sagaId });
        // Then
        expect(result).toMatchObject({ status: 'compensated', failedStep: 'charge' });
        expect(stepRuns).toBe(1);
        const record = await storage.load(sagaId);
        expect(record?.status).toBe('compensated');
        expect(JSON.stringify(record?.state)).toContain('card \\"\uFFFD\uFFFD\\" declined');
      });
    });

    describe('when a step puts a value into the context that cannot be stored', () => {
      it('should fail the step once, without retries, naming the path, and keep the stored context', async () => {
        // Given
        const sagaId = `poisoned-${randomUUID()}`;
        // When
        const result = await runner.execute(PoisoningSaga, { n: 1 }, { sagaId });
        // Then
        expect(result).toMatchObject({ status: 'compensated', failedStep: 'poison' });
        expect(result.error?.message).toContain('context.note');
        expect(stepRuns).toBe(1);
        const record = await storage.load(sagaId);
        expect(record?.status).toBe('compensated');
        expect(record?.context).toEqual({ n: 1 });
      });
    });
  });
}

describeContextRefusal('memory', async () => new MemorySagaStorage());

describe('PostgreSQL', () => {
  const db = usePostgresDatabase();
  describeContextRefusal('PostgreSQL', () => PostgresSagaStorage.fromUrl(db.url, { poolSize: 2 }));
});
