import fc from 'fast-check';
import { compileSaga } from '@cello/saga/definition/saga-compiler';
import { SagaRegistry } from '@cello/saga/definition/saga-registry';
import { Saga } from '@cello/saga/decorators/saga.decorator';
import { SagaStep } from '@cello/saga/decorators/saga-step.decorator';
import { NonRetryableError } from '@cello/saga/errors/non-retryable.error';
import { resolveSagaOptions } from '@cello/saga/resolve-saga-options';
import { MemorySagaStorage } from '@cello/saga/storage/memory/memory-saga-storage';
import { SagaRunner } from '@cello/saga/runner/saga-runner';

interface StepPlan {
  hasCompensation: boolean;
  /** Transient failures before the action works. */
  transient: number;
  /** The action refuses for good. */
  refuses: boolean;
  /** Failures of the compensation before it works. */
  compensationFailures: number;
}

const stepPlan = fc.record({
  hasCompensation: fc.boolean(),
  transient: fc.integer({ min: 0, max: 3 }),
  refuses: fc.boolean(),
  compensationFailures: fc.integer({ min: 0, max: 3 }),
});

async function run(plans: StepPlan[], maxRetries: number) {
  const succeeded: number[] = [];
  const compensated: number[] = [];
  const attempts = plans.map(() => ({ action: 0, compensation: 0 }));
  class PlannedSaga extends Saga {
    steps = plans.map(
      (plan, i) =>
        new SagaStep({
          name: `step-${i}`,
          action: () => {
            attempts[i].action += 1;
            if (plan.refuses) throw new NonRetryableError('refused');
            if (attempts[i].action <= plan.transient) throw new Error('transient');
            succeeded.push(i);
          },
          compensate: plan.hasCompensation
            ? () => {
                attempts[i].compensation += 1;
                if (attempts[i].compensation <= plan.compensationFailures) throw new Error('down');
                compensated.push(i);
              }
            : undefined,
        }),
    );
  }
  const options = resolveSagaOptions({ retryDelay: 0, maxRetries, recovery: false });
  const registry = new SagaRegistry();
  registry.register(compileSaga(new PlannedSaga(), options));
  const result = await new SagaRunner(registry, new MemorySagaStorage(), options).execute(
    PlannedSaga,
    {},
  );
  return { result, succeeded, compensated };
}

describe('SagaRunner with the Rust machine, under random failure plans', () => {
  it('should compensate only completed steps, each once, in reverse, and always finish', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(stepPlan, { minLength: 1, maxLength: 5 }),
        fc.integer({ min: 0, max: 2 }),
        async (plans, maxRetries) => {
          const { result, succeeded, compensated } = await run(plans, maxRetries);
          const firstFailing = plans.findIndex((p) => p.refuses || p.transient > maxRetries);
          if (firstFailing === -1) {
            expect(result.status).toBe('completed');
            expect(succeeded).toEqual(plans.map((_, i) => i));
            expect(compensated).toEqual([]);
            return;
          }
          // Every step before the failing one completed; none after it ran.
          expect(succeeded).toEqual([...Array(firstFailing).keys()]);
          expect(result.failedStep).toBe(`step-${firstFailing}`);
          const undoable = succeeded.filter((i) => plans[i].hasCompensation).reverse();
          const stuck = undoable.find((i) => plans[i].compensationFailures > maxRetries);
          if (stuck === undefined) {
            expect(result.status).toBe('compensated');
            expect(compensated).toEqual(undoable);
          } else {
            expect(result.status).toBe('compensation_failed');
            expect(compensated).toEqual(undoable.slice(0, undoable.indexOf(stuck)));
          }
          expect(new Set(compensated).size).toBe(compensated.length);
        },
      ),
      { numRuns: 150 },
    );
  });
});
