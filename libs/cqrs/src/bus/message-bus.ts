import { celloTracer, refreshCelloTracer } from '@cello/core/internal';
import { HandlerNotFoundError } from '../errors/handler-not-found.error';
import type { MessageClass, MessageKind } from '../message/message-class';
import type { DeadlineScheduler } from '../timeouts/deadline-scheduler';
import type { Route } from './route';
import { tracedRoute } from './traced-route';

/** What both buses share: the route table and the lookup. */
export abstract class MessageBus {
  /** Message class -> compiled route; filled once at start-up. */
  protected routes = new Map<unknown, Route>();
  private scheduler: DeadlineScheduler | undefined = undefined;

  protected abstract readonly kind: MessageKind;

  /** @internal Installs the routes built at start-up. */
  useRoutes(routes: Map<MessageClass, Route>, scheduler: DeadlineScheduler): void {
    this.scheduler = scheduler;
    // Start-up: whether an OpenTelemetry SDK is registered is decided now, once. With one,
    // every dispatch is in a span (its route wraps it); without, the routes are the plain
    // ones and a dispatch checks nothing about tracing (the dispatch hot path).
    refreshCelloTracer();
    const tracer = celloTracer();
    this.routes =
      tracer === undefined
        ? routes
        : new Map(
            [...routes].map(([type, route]): [MessageClass, Route] => [
              type,
              tracedRoute(route, this.kind, tracer),
            ]),
          );
  }

  /** The message classes this bus has a handler for. */
  messageTypes(): MessageClass[] {
    return [...this.routes.keys()] as MessageClass[];
  }

  /** True when this bus has a handler for messages of `messageType`. */
  handles(messageType: unknown): boolean {
    return this.routes.has(messageType);
  }

  /** @internal Stops the deadline clock (application shutdown). */
  stop(): void {
    this.scheduler?.stop();
    for (const route of this.routes.values()) route.definition.metrics?.close();
  }

  /** Routes a message to its handler through its middleware and time limit. */
  protected send(message: object, request: unknown, signal?: AbortSignal): Promise<unknown> {
    const route = this.routes.get(
      (message as { constructor?: unknown } | null | undefined)?.constructor,
    );
    if (route === undefined) return Promise.reject(this.notFound(message));
    if (signal !== undefined) return route.dispatchWithSignal(message, request, signal);
    return route.dispatch(message, request);
  }

  private notFound(message: unknown): Error {
    if (typeof message !== 'object' || message === null) {
      return new TypeError(`dispatch() needs a ${this.kind} object, got ${String(message)}`);
    }
    return new HandlerNotFoundError(message.constructor?.name ?? 'anonymous object', this.kind);
  }
}
