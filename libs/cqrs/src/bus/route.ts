import { performance } from 'node:perf_hooks';
import type { MessageClass, MessageKind } from '../message/message-class';
import type { BusMiddleware, NextFn } from '../middleware/bus-middleware';
import type { Deadline, DeadlineQueue } from '../timeouts/deadline-queue';
import type { MessageValidator } from '../validation/message-validator';
import { DispatchContext } from './dispatch-context';
import type { RouteMetrics } from './route-metrics';

/** Runs the handler of a route: the singleton, or one resolved for this dispatch's context id. */
export type HandlerInvoker = (message: object, context: DispatchContext) => unknown;

/** Everything a route needs, resolved once at start-up. */
export interface RouteDefinition {
  readonly kind: MessageKind;
  readonly messageType: MessageClass;
  /** The handler class name, for messages. */
  readonly handlerName: string;
  readonly invokeHandler: HandlerInvoker;
  readonly middleware: readonly BusMiddleware[];
  readonly validator: MessageValidator | undefined;
  readonly timeoutMs: number;
  /** Where this route's deadlines wait, when it has a limit. */
  readonly deadlines: DeadlineQueue | undefined;
  /** Builds the error a timed-out dispatch fails with. */
  readonly timeoutError: (messageName: string, timeoutMs: number) => Error;
  /** Prometheus children for this message type, when metrics are on. */
  readonly metrics: RouteMetrics | undefined;
}

/**
 * The context of one dispatch the bus settles itself (a time limit, or the
 * caller's `signal`): it makes the caller's promise and is its own deadline
 * entry, so a dispatch allocates one object besides the promises. It settles
 * the caller's promise once, whichever of handler, deadline and caller's
 * signal comes first.
 */
class TrackedContext extends DispatchContext implements Deadline {
  /** @internal */ prev: Deadline | null = null;
  /** @internal */ next: Deadline | null = null;
  /** @internal */ dueTick = 0;
  /** @internal */ queue: DeadlineQueue | null = null;
  /** @internal The caller's promise. */
  readonly promise: Promise<unknown>;
  private resolve!: (value: unknown) => void;
  private reject!: (error: unknown) => void;
  private settled = false;
  private unfollowCaller: (() => void) | undefined = undefined;

  constructor(
    private readonly route: RouteDefinition,
    request: unknown,
    /** `performance.now()` at the start, when the route has metrics. */
    private readonly startedAt: number,
  ) {
    super(route.kind, route.messageType, request, route.timeoutMs);
    this.promise = new Promise((resolve, reject) => {
      this.resolve = resolve;
      this.reject = reject;
    });
  }

  /** @internal Also ends the dispatch when the caller's `signal` aborts. */
  followCaller(signal: AbortSignal): void {
    const onAbort = () => this.cancel(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    this.unfollowCaller = () => signal.removeEventListener('abort', onAbort);
  }

  /** @internal The handler's outcome. */
  settle(ok: boolean, value: unknown): void {
    if (this.settled) return; // already timed out or cancelled: the late outcome is dropped
    this.end(ok ? 'success' : 'error');
    if (ok) this.resolve(value);
    else this.reject(value);
  }

  /** @internal The deadline passed first. */
  expire(): void {
    if (this.settled) return;
    const route = this.route;
    const error = route.timeoutError(route.messageType.name, route.timeoutMs);
    this.end('timeout');
    this.abort(error);
    this.reject(error);
  }

  /** The caller gave up (its signal aborted): fail with its reason and tell the handler. */
  private cancel(reason: unknown): void {
    if (this.settled) return;
    this.end('error');
    this.abort(reason);
    this.reject(reason);
  }

  private end(outcome: 'success' | 'error' | 'timeout'): void {
    this.settled = true;
    if (this.queue !== null) this.queue.remove(this);
    if (this.unfollowCaller !== undefined) this.unfollowCaller();
    this.route.metrics?.record(outcome, performance.now() - this.startedAt);
  }
}

/**
 * The compiled path of one message type: validation, time limit, metrics,
 * middleware chain and handler, decided once at start-up so a dispatch is one
 * Map lookup and a call. Only a time limit (or a caller's signal) needs a
 * promise of the bus's own, which it can reject at the deadline; with metrics
 * alone the caller gets the handler's promise chained to the timing, and with
 * neither the handler's own promise (no wrapper, no extra microtask).
 */
export class Route {
  /** Dispatches a message of this route's type. */
  readonly dispatch: (message: object, request: unknown) => Promise<unknown>;

  constructor(readonly definition: RouteDefinition) {
    this.dispatch = this.compile();
  }

  /**
   * Dispatches with a caller's `AbortSignal`: rejects with its reason when it
   * aborts (at once if it already has, without running anything) and aborts
   * the handler's `context.signal` too.
   */
  dispatchWithSignal(message: object, request: unknown, signal: AbortSignal): Promise<unknown> {
    if (signal.aborted) return Promise.reject(signal.reason);
    const { validator, metrics } = this.definition;
    const run = () => this.runTracked(message, request, signal);
    if (validator === undefined) return run();
    const invalid = validator.validate(message);
    if (invalid === undefined) return run();
    const reject = (error: Error): Promise<never> => {
      if (metrics !== undefined) metrics.invalid += 1;
      return Promise.reject(error);
    };
    if (invalid instanceof Promise) {
      return invalid.then((error) => (error === undefined ? run() : reject(error)));
    }
    return reject(invalid);
  }

  private compile(): (message: object, request: unknown) => Promise<unknown> {
    const { kind, messageType, validator, timeoutMs, metrics } = this.definition;
    const { invokeHandler, middleware } = this.definition;
    const execute =
      timeoutMs > 0
        ? (message: object, request: unknown) => this.runTracked(message, request)
        : metrics !== undefined
          ? (message: object, request: unknown) => this.runTimed(message, request, metrics)
          : middleware.length > 0
            ? (message: object, request: unknown) =>
                this.runPipeline(message, new DispatchContext(kind, messageType, request, 0))
            : // The hot path: nothing but the handler call, and its own promise back.
              (message: object, request: unknown): Promise<unknown> => {
                try {
                  const result = invokeHandler(
                    message,
                    new DispatchContext(kind, messageType, request, 0),
                  );
                  return result instanceof Promise ? result : Promise.resolve(result);
                } catch (error) {
                  return Promise.reject(error);
                }
              };
    if (validator === undefined) return execute;
    const rejectInvalid = (error: Error): Promise<never> => {
      if (metrics !== undefined) metrics.invalid += 1;
      return Promise.reject(error);
    };
    const validateThenExecute = (message: object, request: unknown): Promise<unknown> => {
      const invalid = validator.validate(message);
      if (invalid === undefined) return execute(message, request);
      if (invalid instanceof Promise) {
        return invalid.then((error) =>
          error === undefined ? execute(message, request) : rejectInvalid(error),
        );
      }
      return rejectInvalid(invalid);
    };
    const accepts = validator.planned;
    if (accepts === undefined) return validateThenExecute;
    // Planned constraints: a valid message costs one call of the compiled check.
    return (message, request) =>
      accepts(message) ? execute(message, request) : validateThenExecute(message, request);
  }

  /** Middleware then handler; always a promise, even when the handler throws synchronously. */
  private runPipeline(message: object, context: DispatchContext): Promise<unknown> {
    const { middleware, invokeHandler } = this.definition;
    try {
      const result =
        middleware.length === 0
          ? invokeHandler(message, context)
          : this.runMiddleware(0, message, context);
      return result instanceof Promise ? result : Promise.resolve(result);
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /** With a time limit or a caller's signal: the caller gets the bus's own promise. */
  private runTracked(message: object, request: unknown, signal?: AbortSignal): Promise<unknown> {
    const definition = this.definition;
    const { deadlines, middleware, invokeHandler } = definition;
    const startedAt = definition.metrics === undefined ? 0 : performance.now();
    const context = new TrackedContext(definition, request, startedAt);
    if (deadlines !== undefined) deadlines.add(context);
    if (signal !== undefined) context.followCaller(signal);
    let result: unknown;
    try {
      result =
        middleware.length === 0
          ? invokeHandler(message, context)
          : this.runMiddleware(0, message, context);
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
  }

  /**
   * Metrics without a time limit: nothing can end the dispatch before the
   * handler, so the caller gets the handler's promise chained to the timing.
   */
  private runTimed(message: object, request: unknown, metrics: RouteMetrics): Promise<unknown> {
    const { kind, messageType, middleware, invokeHandler } = this.definition;
    const context = new DispatchContext(kind, messageType, request, 0);
    const startedAt = performance.now();
    let result: unknown;
    try {
      result =
        middleware.length === 0
          ? invokeHandler(message, context)
          : this.runMiddleware(0, message, context);
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
  }

  private runMiddleware(
    index: number,
    message: object,
    context: DispatchContext,
  ): Promise<unknown> {
    const { middleware, invokeHandler } = this.definition;
    try {
      if (index === middleware.length) {
        const result = invokeHandler(message, context);
        return result instanceof Promise ? result : Promise.resolve(result);
      }
      const next: NextFn = (nextMessage = message) =>
        this.runMiddleware(index + 1, nextMessage, context);
      const result: unknown = middleware[index].handle(message, context, next);
      return result instanceof Promise ? result : Promise.resolve(result);
    } catch (error) {
      return Promise.reject(error);
    }
  }
}
