import type { MessageClass, MessageKind } from '../message/message-class';
import type { BusMiddleware, NextFn } from '../middleware/bus-middleware';
import { Deadline, type DeadlineQueue } from '../timeouts/deadline-scheduler';
import type { MessageValidator } from '../validation/message-validator';
import { DispatchContext } from './dispatch-context';

/** Runs the handler of a route: the singleton, or one resolved for this dispatch's context id. */
export type HandlerInvoker = (message: object, context: DispatchContext) => unknown;

/** Everything a route needs, resolved once at start-up. */
export interface RouteDefinition {
  readonly kind: MessageKind;
  readonly messageType: MessageClass;
  /** The handler class, for messages and for the native route table. */
  readonly handlerName: string;
  readonly invokeHandler: HandlerInvoker;
  readonly middleware: readonly BusMiddleware[];
  readonly validator: MessageValidator | undefined;
  readonly timeoutMs: number;
  /** Where this route's deadlines wait, when it has a limit. */
  readonly deadlines: DeadlineQueue | undefined;
  /** Builds the error a timed-out dispatch fails with. */
  readonly timeoutError: (messageName: string, timeoutMs: number) => Error;
}

function toPromise(run: () => unknown): Promise<unknown> {
  try {
    const result = run();
    return result instanceof Promise ? result : Promise.resolve(result);
  } catch (error) {
    return Promise.reject(error);
  }
}

/** One dispatch under a time limit: settles the caller's promise once, whichever comes first. */
class TimedDispatch extends Deadline {
  constructor(
    private readonly route: Route,
    private readonly context: DispatchContext,
    private readonly resolve: (value: unknown) => void,
    private readonly reject: (error: unknown) => void,
  ) {
    super();
  }

  settle(ok: boolean, value: unknown): void {
    if (this.queue === null) return; // already timed out: the handler's late outcome is dropped
    this.queue.remove(this);
    if (ok) this.resolve(value);
    else this.reject(value);
  }

  expire(): void {
    const route = this.route.definition;
    const error = route.timeoutError(route.messageType.name, route.timeoutMs);
    this.context.abort(error);
    this.reject(error);
  }
}

/**
 * The compiled path of one message type: validation, time limit, middleware
 * chain and handler, decided once at start-up so a dispatch is one Map lookup
 * and a call.
 */
export class Route {
  /** Dispatches a message of this route's type. */
  readonly dispatch: (message: object, request: unknown) => Promise<unknown>;
  private readonly pipeline: (message: object, context: DispatchContext) => Promise<unknown>;

  constructor(readonly definition: RouteDefinition) {
    const { middleware, invokeHandler } = definition;
    this.pipeline =
      middleware.length === 0
        ? (message, context) => toPromise(() => invokeHandler(message, context))
        : (message, context) => this.runMiddleware(0, message, context);
    this.dispatch = this.compileDispatch();
  }

  private compileDispatch(): (message: object, request: unknown) => Promise<unknown> {
    const { kind, messageType, validator, timeoutMs, invokeHandler, middleware } = this.definition;
    const pipeline = this.pipeline;
    const execute =
      timeoutMs > 0
        ? (message: object, request: unknown) => this.runTimed(message, request)
        : middleware.length === 0
          ? (message: object, request: unknown) =>
              toPromise(() =>
                invokeHandler(message, new DispatchContext(kind, messageType, request, 0)),
              )
          : (message: object, request: unknown) =>
              pipeline(message, new DispatchContext(kind, messageType, request, 0));
    if (validator === undefined) return execute;
    return (message, request) => {
      const invalid = validator.validate(message);
      if (invalid === undefined) return execute(message, request);
      if (invalid instanceof Promise) {
        return invalid.then((error) => {
          if (error !== undefined) throw error;
          return execute(message, request);
        });
      }
      return Promise.reject(invalid);
    };
  }

  private runTimed(message: object, request: unknown): Promise<unknown> {
    const { kind, messageType, timeoutMs, deadlines } = this.definition;
    const context = new DispatchContext(kind, messageType, request, timeoutMs);
    return new Promise((resolve, reject) => {
      const pending = new TimedDispatch(this, context, resolve, reject);
      deadlines!.add(pending);
      this.pipeline(message, context).then(
        (value) => pending.settle(true, value),
        (error: unknown) => pending.settle(false, error),
      );
    });
  }

  private runMiddleware(
    index: number,
    message: object,
    context: DispatchContext,
  ): Promise<unknown> {
    const { middleware, invokeHandler } = this.definition;
    if (index === middleware.length) return toPromise(() => invokeHandler(message, context));
    const next: NextFn = (nextMessage = message) =>
      this.runMiddleware(index + 1, nextMessage, context);
    return toPromise(() => middleware[index].handle(message, context, next));
  }
}
