import 'reflect-metadata';
import { SAGA_METADATA } from '../saga.constants';

/** Options of `@Saga(name, options)`. */
export interface SagaOptions {
  /** Seconds for the whole saga; overrides the module's `timeout` (300). */
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

function SagaImpl(this: unknown, name?: string, options?: SagaOptions): ClassDecorator | void {
  // `super()` of an explicit-form subclass: nothing to set up.
  if (new.target) return;
  const metadata: SagaMetadata = { ...options, name: name ?? '' };
  return (target) => Reflect.defineMetadata(SAGA_METADATA, metadata, target);
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
