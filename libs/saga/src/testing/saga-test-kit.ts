import type { CompiledSaga, CompiledSagaStep } from '../definition/compiled-saga';
import { compileSaga } from '../definition/saga-compiler';
import { SagaRegistry } from '../definition/saga-registry';
import type { SagaContext, SagaStepExecution } from '../definition/saga-step-execution';
import { NonRetryableError } from '../errors/non-retryable.error';
import { resolveSagaOptions } from '../resolve-saga-options';
import type { SagaModuleOptions } from '../saga-module-options';
import type { SagaResult } from '../runner/saga-result';
import { SagaRunner } from '../runner/saga-runner';
import { MemorySagaStorage } from '../storage/memory/memory-saga-storage';

/** How `runSagaForTest` should bend the saga. */
export interface SagaTestOptions {
  /** Replace every action and compensation by a no-op that only records the call. Default: false. */
  fakeSteps?: boolean;
  /** Make this step's action fail. */
  failAt?: string;
  /** How many attempts of `failAt` fail before it succeeds; default: all of them. */
  failTimes?: number;
  /** The error thrown at `failAt`; default: a `NonRetryableError` when `failTimes` is not set, else an `Error`. */
  error?: Error;
  /** Make this step's compensation fail (every attempt). */
  failCompensationOf?: string;
  /** Module options for the run; default: no retry delay, no recovery. */
  options?: SagaModuleOptions;
}

/** What a test run did. */
export interface SagaTestRun<C extends object = SagaContext> {
  readonly result: SagaResult<C>;
  /** Every call in order: `"reserve"`, `"compensate:reserve"`... */
  readonly calls: string[];
  /** Action calls only (step names, one per attempt). */
  readonly actions: string[];
  /** Compensation calls only (step names, one per attempt). */
  readonly compensations: string[];
  /** The runner used, e.g. for `getStatus(result.sagaId)` or `retryCompensation`. */
  readonly runner: SagaRunner;
}

function bend(step: CompiledSagaStep, options: SagaTestOptions, calls: string[]): CompiledSagaStep {
  let failures = 0;
  const action = async (execution: SagaStepExecution) => {
    calls.push(step.name);
    if (
      step.name === options.failAt &&
      (options.failTimes === undefined || failures < options.failTimes)
    ) {
      failures += 1;
      throw (
        options.error ??
        (options.failTimes === undefined
          ? new NonRetryableError(`injected failure at "${step.name}"`)
          : new Error(`injected failure at "${step.name}" (${failures})`))
      );
    }
    if (!options.fakeSteps) await (step.action as (e: SagaStepExecution) => unknown)(execution);
  };
  const compensate =
    step.compensate &&
    (async (execution: SagaStepExecution) => {
      calls.push(`compensate:${step.name}`);
      if (step.name === options.failCompensationOf) {
        throw new Error(`injected compensation failure at "${step.name}"`);
      }
      if (!options.fakeSteps)
        await (step.compensate as (e: SagaStepExecution) => unknown)(execution);
    });
  return { ...step, action, compensate } as CompiledSagaStep;
}

/**
 * Runs a saga in a unit test, in memory, without a Nest application: pass the
 * saga class (explicit form) or an instance built with fake services, inject
 * a failure at a chosen step, then assert on `calls` and `result`.
 */
export async function runSagaForTest<C extends object>(
  saga: object,
  context: C,
  options: SagaTestOptions = {},
): Promise<SagaTestRun<C>> {
  const resolved = resolveSagaOptions({ retryDelay: 0, recovery: false, ...options.options });
  const instance = typeof saga === 'function' ? new (saga as new () => object)() : saga;
  const compiled = compileSaga(instance, resolved);
  const calls: string[] = [];
  const bent: CompiledSaga = {
    ...compiled,
    steps: compiled.steps.map((step) => bend(step, options, calls)),
  };
  const registry = new SagaRegistry();
  registry.register(bent);
  const runner = new SagaRunner(registry, new MemorySagaStorage(), resolved);
  const result = await runner.execute<C>(compiled.type, context);
  return {
    result,
    calls,
    actions: calls.filter((c) => !c.startsWith('compensate:')),
    compensations: calls.filter((c) => c.startsWith('compensate:')).map((c) => c.slice(11)),
    runner,
  };
}
