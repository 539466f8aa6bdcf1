import 'reflect-metadata';
import { describeDecoratorTarget, isOptionsObject, unknownOptionKeys } from '@cello/core/internal';
import { InvalidSagaDecoratorError } from '../errors/invalid-saga-decorator.error';
import { SAGA_METADATA } from '../saga.constants';

/** Options of `@Saga(name, options)`. */
export interface SagaOptions {
  /** Seconds for the whole saga; overrides the module's `timeout`. Default: the module's `timeout` (300). */
  timeout?: number;
}

/** What `@Saga` records on a class. */
export interface SagaMetadata extends SagaOptions {
  name: string;
}

/**
 * The explicit form's base. Subclasses declare `steps = [new SagaStep({...})]`
 * (not declared here, so that no `override` keyword is needed).
 */
export type SagaBase = object;

/** `Saga` is both the class decorator and the explicit form's base class. */
export interface SagaFunction {
  /** Marks an injectable class as a saga named `name`; its steps are `@SagaStep` methods. */
  (name: string, options?: SagaOptions): ClassDecorator;
  /** Base class of the explicit form: `class OrderSaga extends Saga { steps = [...] }`. */
  new (): SagaBase;
  readonly prototype: SagaBase;
}

const KNOWN_OPTIONS = ['timeout'];

function SagaImpl(this: unknown, name?: string, options?: SagaOptions): ClassDecorator | void {
  // `super()` of an explicit-form subclass: nothing to set up.
  if (new.target) return;
  if (typeof name !== 'string' && name !== undefined) {
    // `@Saga` without parentheses hands the decorated class (or prototype) over as the name.
    throw new InvalidSagaDecoratorError(
      '@Saga',
      describeTarget(name),
      'it was used without being called.',
      "Write @Saga('saga-name') on the class (with parentheses).",
    );
  }
  checkSagaOptions(name, options);
  const metadata: SagaMetadata = { ...options, name: name ?? '' };
  const decorate = (target: object, key?: string | symbol) => {
    if (key !== undefined) {
      throw new InvalidSagaDecoratorError(
        '@Saga',
        describeDecoratorTarget({ target, key }),
        'it was put on a property, as @nestjs/cqrs does for an RxJS saga stream; Cello ignores that.',
        "A Cello saga is a class: put @Saga('saga-name') on an injectable class and mark its steps " +
          'with @SagaStep() methods (or extend Saga with `steps = [new SagaStep({...})]`). To react to ' +
          'events by dispatching commands, use an @EventHandler method of a subscriber instead.',
      );
    }
    Reflect.defineMetadata(SAGA_METADATA, metadata, target);
  };
  return decorate as ClassDecorator;
}

function checkSagaOptions(name: string | undefined, options: unknown): void {
  const where = name ? `saga "${name}"` : 'a saga';
  if (!isOptionsObject(options)) {
    throw new InvalidSagaDecoratorError(
      '@Saga',
      where,
      `its options are ${String(options)}, not an object.`,
      "Write @Saga('saga-name', { timeout: seconds }).",
    );
  }
  const unknown = unknownOptionKeys(options, KNOWN_OPTIONS);
  if (unknown.length > 0) {
    throw new InvalidSagaDecoratorError(
      '@Saga',
      where,
      `it has no option ${unknown.map((key) => `"${key}"`).join(', ')}; Cello would ignore it.`,
      'Its only option is timeout (seconds); step policies go on @SagaStep, defaults on SagaModule.forRoot.',
    );
  }
  const timeout = (options as SagaOptions | undefined)?.timeout;
  if (timeout !== undefined && !(typeof timeout === 'number' && timeout > 0)) {
    throw new InvalidSagaDecoratorError(
      '@Saga',
      where,
      `timeout is ${String(timeout)}.`,
      'Give a number of seconds > 0, or leave it out for the module default.',
    );
  }
}

function describeTarget(value: unknown): string {
  if (typeof value === 'function') return describeDecoratorTarget({ target: value });
  if (typeof value === 'object' && value !== null)
    return describeDecoratorTarget({ target: value });
  return String(value);
}

/**
 * Declares a saga. As a decorator: `@Saga('order-fulfilment') @Injectable() class ...`
 * with `@SagaStep` methods. As a base class: `class OrderSaga extends Saga { steps = [...] }`.
 */
export const Saga = SagaImpl as unknown as SagaFunction;

/** The `@Saga` metadata of a class, if any. */
export function getSagaMetadata(type: object): SagaMetadata | undefined {
  return Reflect.getMetadata(SAGA_METADATA, type) as SagaMetadata | undefined;
}
