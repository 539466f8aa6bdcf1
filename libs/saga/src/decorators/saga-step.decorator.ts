import 'reflect-metadata';
import { describeDecoratorTarget, isOptionsObject, unknownOptionKeys } from '@cello/core/internal';
import { InvalidSagaDecoratorError } from '../errors/invalid-saga-decorator.error';
import { SAGA_STEPS_METADATA } from '../saga.constants';
import type {
  SagaContext,
  SagaStepHandler,
  SagaStepPolicy,
} from '../definition/saga-step-execution';

/** Options of the `@SagaStep(...)` method decorator. */
export interface SagaStepDecoratorOptions extends SagaStepPolicy {
  /** Step name, unique in its saga. Default: the method name. */
  name?: string;
  /** Position among the steps; default: declaration order. */
  order?: number;
  /** Name of the method of the same class that undoes this step. Default: none (nothing to undo). */
  compensate?: string;
}

/** Options of `new SagaStep({...})` (explicit form). */
export interface SagaStepOptions<C extends object = SagaContext> extends SagaStepPolicy {
  /** Step name, unique in its saga. */
  name: string;
  /** Does the step's work. */
  action: SagaStepHandler<C>;
  /** Undoes the step's work when a later step fails. */
  compensate?: SagaStepHandler<C>;
}

/** What `@SagaStep` records for one method. */
export interface SagaStepMetadata extends SagaStepDecoratorOptions {
  method: string;
  declaredAt: number;
}

/** A step of the explicit form. */
export type SagaStep<C extends object = SagaContext> = Readonly<SagaStepOptions<C>>;

/** `SagaStep` is both the method decorator and the explicit form's step constructor. */
export interface SagaStepFunction {
  /** Marks a method of a `@Saga` class as a step. */
  (options?: SagaStepDecoratorOptions): MethodDecorator;
  /** A step of the explicit form: `new SagaStep({ name, action, compensate })`. */
  new <C extends object = SagaContext>(options: SagaStepOptions<C>): SagaStep<C>;
}

function SagaStepImpl(
  this: unknown,
  options: SagaStepDecoratorOptions | SagaStepOptions = {},
): MethodDecorator | void {
  if (new.target) {
    Object.assign(this as object, options);
    return;
  }
  checkStepOptions(options);
  return (target, key, descriptor) => {
    if (typeof descriptor?.value !== 'function') {
      throw new InvalidSagaDecoratorError(
        '@SagaStep',
        describeDecoratorTarget({ target, key }),
        'it was put on a property or accessor, which Cello cannot run as a step.',
        'Put @SagaStep() on a method of the @Saga class: async step(execution) { ... }.',
      );
    }
    const type = target.constructor;
    const list = (Reflect.getOwnMetadata(SAGA_STEPS_METADATA, type) as SagaStepMetadata[]) ?? [];
    const entry = { ...(options as SagaStepDecoratorOptions), method: String(key) };
    Reflect.defineMetadata(
      SAGA_STEPS_METADATA,
      [...list, { ...entry, declaredAt: list.length }],
      type,
    );
  };
}

const KNOWN_OPTIONS = [
  'name',
  'order',
  'compensate',
  'maxRetries',
  'timeout',
  'retryable',
  'compensateOnFailure',
  'onInterrupted',
];

function checkStepOptions(options: unknown): void {
  const fail = (problem: string, fix: string) =>
    new InvalidSagaDecoratorError('@SagaStep', 'a saga step', problem, fix);
  if (!isOptionsObject(options)) {
    throw fail(`its options are ${String(options)}, not an object.`, 'Write @SagaStep({ ... }).');
  }
  const unknown = unknownOptionKeys(options, KNOWN_OPTIONS);
  if (unknown.length > 0) {
    throw fail(
      `it has no option ${unknown.map((key) => `"${key}"`).join(', ')}; Cello would ignore it.`,
      `Use only ${KNOWN_OPTIONS.join(', ')}.`,
    );
  }
  const { compensate, order } = options as SagaStepDecoratorOptions;
  if (compensate !== undefined && typeof compensate !== 'string') {
    throw fail(
      'compensate is not a method name.',
      "Give the name of the method that undoes the step: { compensate: 'release' }.",
    );
  }
  if (order !== undefined && !(typeof order === 'number' && Number.isFinite(order))) {
    throw fail(
      `order is ${String(order)}.`,
      'Give a number, or leave it out for declaration order.',
    );
  }
}

/**
 * Declares a saga step. As a decorator on a method of a `@Saga` class:
 * `@SagaStep({ compensate: 'release' })`. As a value in the explicit form:
 * `new SagaStep({ name, action, compensate })`.
 */
export const SagaStep = SagaStepImpl as unknown as SagaStepFunction;

/** The `@SagaStep` list of a class (and its parents), in declaration order. */
export function getSagaStepsMetadata(type: object): SagaStepMetadata[] {
  return (Reflect.getMetadata(SAGA_STEPS_METADATA, type) as SagaStepMetadata[] | undefined) ?? [];
}
