import type { Type } from '@nestjs/common';
import type { DispatchContext } from '../bus/dispatch-context';

/**
 * Calls the rest of the pipeline (later middleware, then the handler).
 * Pass a message to hand a transformed one down; call it again to retry.
 */
export type NextFn = (message?: object) => Promise<unknown>;

/**
 * A middleware as a function: runs around the rest of the pipeline. Return
 * `next()`'s result (or a transformed one), or return without calling `next`
 * to short-circuit.
 */
export type BusMiddlewareFn = (
  message: object,
  context: DispatchContext,
  next: NextFn,
) => Promise<unknown>;

/** A middleware as an injectable class (resolved from the Nest container at start-up). */
export interface BusMiddleware {
  /** Runs around the handler: call `next()` to go on, return its result (or another). */
  handle(message: object, context: DispatchContext, next: NextFn): Promise<unknown>;
}

/** A middleware given in options or decorators: a function, an instance, or an injectable class. */
export type BusMiddlewareRef = BusMiddlewareFn | BusMiddleware | Type<BusMiddleware>;
