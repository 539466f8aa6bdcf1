import { getSagaMetadata } from '../decorators/saga.decorator';
import { getSagaStepsMetadata } from '../decorators/saga-step.decorator';
import type { SagaStepPolicy, SagaStepHandler } from './saga-step-execution';
import type { CompiledSaga, CompiledSagaStep } from './compiled-saga';
import { DuplicateSagaStepError } from '../errors/duplicate-saga-step.error';
import { InvalidSagaDefinitionError } from '../errors/invalid-saga-definition.error';
import type { ResolvedSagaOptions } from '../saga-module-options';

/** The name a saga class runs under: `@Saga(name)`, else the class name. */
export function sagaNameOf(type: object): string {
  const name = getSagaMetadata(type)?.name;
  return name ? name : (type as { name: string }).name;
}

type AnyHandler = SagaStepHandler<never>;

interface RawStep extends SagaStepPolicy {
  name?: string;
  action?: unknown;
  compensate?: unknown;
}

function policy(
  sagaName: string,
  raw: RawStep,
  name: string,
  defaults: ResolvedSagaOptions,
): Omit<CompiledSagaStep, 'name' | 'action' | 'compensate'> {
  const maxRetries = raw.maxRetries ?? defaults.maxRetries;
  if (!Number.isInteger(maxRetries) || maxRetries < 0) {
    throw new InvalidSagaDefinitionError(
      sagaName,
      `step "${name}" has maxRetries ${maxRetries}; use an integer >= 0.`,
    );
  }
  if (raw.timeout !== undefined && !(raw.timeout > 0)) {
    throw new InvalidSagaDefinitionError(
      sagaName,
      `step "${name}" has timeout ${raw.timeout}; use a number of seconds > 0.`,
    );
  }
  if (raw.onInterrupted !== undefined && !['retry', 'compensate'].includes(raw.onInterrupted)) {
    throw new InvalidSagaDefinitionError(
      sagaName,
      `step "${name}" has onInterrupted "${String(raw.onInterrupted)}"; use 'retry' or 'compensate'.`,
    );
  }
  return {
    maxRetries,
    timeoutMs: raw.timeout === undefined ? null : Math.round(raw.timeout * 1000),
    retryable: raw.retryable ?? true,
    compensateOnFailure: raw.compensateOnFailure ?? false,
    onInterrupted: raw.onInterrupted === 'compensate' ? 'compensate' : 'retry',
  };
}

function decoratedSteps(sagaName: string, instance: object): Array<RawStep & { name: string }> {
  const methods = getSagaStepsMetadata(instance.constructor);
  const sorted = [...methods].sort(
    (a, b) => (a.order ?? Infinity) - (b.order ?? Infinity) || a.declaredAt - b.declaredAt,
  );
  const bag = instance as Record<string, unknown>;
  return sorted.map((meta) => {
    const name = meta.name ?? meta.method;
    const action = bag[meta.method];
    let compensate: unknown;
    if (meta.compensate !== undefined) {
      compensate = bag[meta.compensate];
      if (typeof compensate !== 'function') {
        throw new InvalidSagaDefinitionError(
          sagaName,
          `step "${name}" names compensation method "${meta.compensate}", which the class does not have.`,
        );
      }
      compensate = (compensate as AnyHandler).bind(instance);
    }
    return {
      ...meta,
      name,
      action: typeof action === 'function' ? (action as AnyHandler).bind(instance) : action,
      compensate,
    };
  });
}

/**
 * Turns a saga instance (decorated or explicit form) into what the runner
 * needs, checking it: at least one step, each with an action, unique names.
 */
export function compileSaga(instance: object, defaults: ResolvedSagaOptions): CompiledSaga {
  const type = instance.constructor as CompiledSaga['type'];
  const name = sagaNameOf(type);
  const explicit = (instance as { steps?: unknown }).steps;
  const raw: RawStep[] =
    explicit !== undefined ? (explicit as unknown as RawStep[]) : decoratedSteps(name, instance);
  if (!Array.isArray(raw) || raw.length === 0) {
    throw new InvalidSagaDefinitionError(
      name,
      'it has no steps. Decorate methods with @SagaStep(...) or set `steps = [new SagaStep({...})]`.',
    );
  }
  const seen = new Set<string>();
  const steps = raw.map((step, position): CompiledSagaStep => {
    const stepName = step?.name;
    if (typeof stepName !== 'string' || stepName === '') {
      throw new InvalidSagaDefinitionError(name, `step #${position + 1} has no name.`);
    }
    if (seen.has(stepName)) throw new DuplicateSagaStepError(name, stepName);
    seen.add(stepName);
    if (typeof step.action !== 'function') {
      throw new InvalidSagaDefinitionError(
        name,
        `step "${stepName}" has no action function. Give it \`action: async ({ context }) => ...\`.`,
      );
    }
    if (step.compensate !== undefined && typeof step.compensate !== 'function') {
      throw new InvalidSagaDefinitionError(
        name,
        `step "${stepName}" has a compensate that is not a function.`,
      );
    }
    return {
      name: stepName,
      action: step.action as AnyHandler,
      compensate: step.compensate as AnyHandler | undefined,
      ...policy(name, step, stepName, defaults),
    };
  });
  const sagaTimeout = getSagaMetadata(type)?.timeout;
  const timeoutMs = sagaTimeout !== undefined ? Math.round(sagaTimeout * 1000) : defaults.timeoutMs;
  return {
    name,
    type,
    steps,
    machine: {
      steps: steps.map((s) => ({
        name: s.name,
        maxRetries: s.maxRetries,
        hasCompensation: s.compensate !== undefined,
        compensateOnFailure: s.compensateOnFailure,
        onInterrupted: s.onInterrupted,
      })),
      retryBaseMs: defaults.retryDelayMs,
      retryCapMs: Math.max(defaults.maxRetryDelayMs, defaults.retryDelayMs),
      timeoutMs: timeoutMs > 0 ? timeoutMs : null,
    },
  };
}
