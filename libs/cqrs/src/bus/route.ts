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

// A shared executor instead of a closure per dispatch: it hands the new promise's
// settle functions over through these two variables, read right after `new Promise`.
let settleResolve: (value: unknown) => void = () => undefined;
let settleReject: (error: unknown) => void = () => undefined;
function captureSettlers(
  resolve: (value: unknown) => void,
  reject: (error: unknown) => void,
): void {
  settleResolve = resolve;
  settleReject = reject;
}

/**
 * The context of one dispatch that the bus must settle itself (time limit
 * and/or metrics), doubling as its deadline entry: settles the caller's
 * promise once, whichever of handler and deadline comes first.
 */
class TrackedContext extends DispatchContext implements Deadline {
  /** @internal */ prev: Deadline | null = null;
  /** @internal */ next: Deadline | null = null;
  /** @internal */ dueTick = 0;
  /** @internal */ queue: DeadlineQueue | null = null;
  private settled = false;
  private callerSignal: AbortSignal | undefined = undefined;
  private onCallerAbort: (() => void) | undefined = undefined;

  constructor(
    private readonly route: RouteDefinition,
    request: unknown,
    private readonly resolve: (value: unknown) => void,
    private readonly reject: (error: unknown) => void,
    private readonly startedAt: number,
  ) {
    super(route.kind, route.messageType, request, route.timeoutMs);
  }

  /** @internal Also ends the dispatch when the caller's `signal` aborts. */
  followCaller(signal: AbortSignal): void {
    this.callerSignal = signal;
    this.onCallerAbort = () => this.cancel(signal.reason);
    signal.addEventListener('abort', this.onCallerAbort, { once: true });
  }

  /** @internal */
  settle(ok: boolean, value: unknown): void {
    if (this.settled) return; // already timed out: the handler's late outcome is dropped
    this.settled = true;
    this.queue?.remove(this);
    if (this.onCallerAbort !== undefined) this.stopFollowingCaller();
    const metrics = this.route.metrics;
    if (metrics !== undefined) {
      if (ok) metrics.success += 1;
      else metrics.error += 1;
      metrics.observe((performance.now() - this.startedAt) / 1000);
    }
    if (ok) this.resolve(value);
    else this.reject(value);
  }

  /** @internal */
  expire(): void {
    if (this.settled) return;
    this.settled = true;
    if (this.onCallerAbort !== undefined) this.stopFollowingCaller();
    const route = this.route;
    const error = route.timeoutError(route.messageType.name, route.timeoutMs);
    if (route.metrics !== undefined) {
      route.metrics.timeout += 1;
      route.metrics.observe((performance.now() - this.startedAt) / 1000);
    }
    this.abort(error);
    this.reject(error);
  }

  private stopFollowingCaller(): void {
    this.callerSignal!.removeEventListener('abort', this.onCallerAbort!);
    this.onCallerAbort = undefined;
  }

  /** The caller gave up (its signal aborted): fail with its reason and tell the handler. */
  private cancel(reason: unknown): void {
    if (this.settled) return;
    this.settled = true;
    this.queue?.remove(this);
    const metrics = this.route.metrics;
    if (metrics !== undefined) {
      metrics.error += 1;
      metrics.observe((performance.now() - this.startedAt) / 1000);
    }
    this.abort(reason);
    this.reject(reason);
  }
}

/**
 * The compiled path of one message type: validation, time limit, metrics,
 * middleware chain and handler, decided once at start-up so a dispatch is one
 * Map lookup and a call. Without a time limit and metrics, the caller gets
 * the handler's own promise (no wrapper, no extra microtask).
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
    const tracked = timeoutMs > 0 || metrics !== undefined;
    const { invokeHandler, middleware } = this.definition;
    const execute = tracked
      ? (message: object, request: unknown) => this.runTracked(message, request)
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
    return (message, request) => {
      const invalid = validator.validate(message);
      if (invalid === undefined) return execute(message, request);
      if (invalid instanceof Promise) {
        return invalid.then((error) =>
          error === undefined ? execute(message, request) : rejectInvalid(error),
        );
      }
      return rejectInvalid(invalid);
    };
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

  private runTracked(message: object, request: unknown, signal?: AbortSignal): Promise<unknown> {
    const definition = this.definition;
    const { deadlines, middleware, invokeHandler } = definition;
    const promise = new Promise(captureSettlers);
    const startedAt = definition.metrics === undefined ? 0 : performance.now();
    const context = new TrackedContext(definition, request, settleResolve, settleReject, startedAt);
    deadlines?.add(context);
    if (signal !== undefined) context.followCaller(signal);
    let result: unknown;
    try {
      result =
        middleware.length === 0
          ? invokeHandler(message, context)
          : this.runMiddleware(0, message, context);
    } catch (error) {
      context.settle(false, error);
      return promise;
    }
    if (result instanceof Promise) {
      result.then(
        (value) => context.settle(true, value),
        (error: unknown) => context.settle(false, error),
      );
    } else {
      context.settle(true, result);
    }
    return promise;
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
