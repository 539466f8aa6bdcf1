import { performance } from 'node:perf_hooks';
import type { NextFn } from '../middleware/bus-middleware';
import { DispatchContext } from './dispatch-context';
import type { HandlerInvoker, RouteDefinition } from './route-definition';
import { TrackedContext } from './tracked-context';

/**
 * One dispatch through the stages below it. `signal` is the caller's, passed
 * only on the path composed for it (see `Route`).
 */
export type Execute = (message: object, request: unknown, signal?: AbortSignal) => Promise<unknown>;

// The stages a route is composed of, once, at start-up (`Route`). Each stage
// is added only when the route needs it, so the empty composition is the
// handler call alone: no wrapper, no extra promise or microtask.

/**
 * Middleware stage: the chain, then the handler; the handler itself when the
 * route has no middleware. May throw or return a plain value: the stage
 * around it makes the promise.
 */
export function middlewareStage(definition: RouteDefinition): HandlerInvoker {
  const { middleware, invokeHandler } = definition;
  if (middleware.length === 0) return invokeHandler;
  const run = (index: number, message: object, context: DispatchContext): Promise<unknown> => {
    try {
      if (index === middleware.length) {
        const result = invokeHandler(message, context);
        return result instanceof Promise ? result : Promise.resolve(result);
      }
      const next: NextFn = (nextMessage = message) => run(index + 1, nextMessage, context);
      const result: unknown = middleware[index].handle(message, context, next);
      return result instanceof Promise ? result : Promise.resolve(result);
    } catch (error) {
      return Promise.reject(error);
    }
  };
  return (message, context) => run(0, message, context);
}

/** Innermost stage without limit or metrics: the handler's own promise back. */
export function directStage(definition: RouteDefinition, invoke: HandlerInvoker): Execute {
  const { kind, messageType } = definition;
  return (message, request) => {
    try {
      const result = invoke(message, new DispatchContext(kind, messageType, request, 0));
      return result instanceof Promise ? result : Promise.resolve(result);
    } catch (error) {
      return Promise.reject(error);
    }
  };
}

/**
 * Metrics stage without a time limit: nothing can end the dispatch before the
 * handler, so the caller gets the handler's promise chained to the timing.
 */
export function metricsStage(definition: RouteDefinition, invoke: HandlerInvoker): Execute {
  const { kind, messageType } = definition;
  const metrics = definition.metrics!;
  return (message, request) => {
    const context = new DispatchContext(kind, messageType, request, 0);
    const startedAt = performance.now();
    let result: unknown;
    try {
      result = invoke(message, context);
    } catch (error) {
      metrics.record('error', performance.now() - startedAt);
      return Promise.reject(error);
    }
    if (!(result instanceof Promise)) {
      metrics.record('success', performance.now() - startedAt);
      return Promise.resolve(result);
    }
    return result.then(
      (value: unknown) => {
        metrics.record('success', performance.now() - startedAt);
        return value;
      },
      (error: unknown) => {
        metrics.record('error', performance.now() - startedAt);
        throw error;
      },
    );
  };
}

/**
 * Deadline stage (a time limit, or a caller's signal): the caller gets the
 * bus's own promise, settled by whichever of handler, deadline and signal
 * comes first; it records metrics too, when the route has them.
 */
export function deadlineStage(definition: RouteDefinition, invoke: HandlerInvoker): Execute {
  const { deadlines, metrics } = definition;
  return (message, request, signal) => {
    const startedAt = metrics === undefined ? 0 : performance.now();
    const context = new TrackedContext(definition, request, startedAt);
    if (deadlines !== undefined) deadlines.add(context);
    if (signal !== undefined) context.followCaller(signal);
    let result: unknown;
    try {
      result = invoke(message, context);
    } catch (error) {
      context.settle(false, error);
      return context.promise;
    }
    if (result instanceof Promise) {
      result.then(
        (value) => context.settle(true, value),
        (error: unknown) => context.settle(false, error),
      );
    } else {
      context.settle(true, result);
    }
    return context.promise;
  };
}

/** Validation stage: refuses an invalid message (counted in metrics) before anything runs. */
export function validateStage(definition: RouteDefinition, next: Execute): Execute {
  const { validator, metrics } = definition;
  if (validator === undefined) return next;
  const rejectInvalid = (error: Error): Promise<never> => {
    if (metrics !== undefined) metrics.invalid += 1;
    return Promise.reject(error);
  };
  const validateThenNext: Execute = (message, request, signal) => {
    const invalid = validator.validate(message);
    if (invalid === undefined) return next(message, request, signal);
    if (invalid instanceof Promise) {
      return invalid.then((error) =>
        error === undefined ? next(message, request, signal) : rejectInvalid(error),
      );
    }
    return rejectInvalid(invalid);
  };
  const accepts = validator.planned;
  if (accepts === undefined) return validateThenNext;
  // Planned constraints: a valid message costs one call of the compiled check.
  return (message, request, signal) =>
    accepts(message) ? next(message, request, signal) : validateThenNext(message, request, signal);
}

/** Signal stage: a caller's signal that has already aborted rejects at once, running nothing. */
export function signalStage(next: Execute): Execute {
  return (message, request, signal) =>
    signal!.aborted ? Promise.reject(signal!.reason) : next(message, request, signal);
}
