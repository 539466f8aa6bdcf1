import { celloTracer, refreshCelloTracer, traceSpan } from '@cello/core/internal';
import type { Tracer } from '@opentelemetry/api';
import { HandlerNotFoundError } from '../errors/handler-not-found.error';
import type { MessageClass, MessageKind } from '../message/message-class';
import type { DeadlineScheduler } from '../timeouts/deadline-scheduler';
import type { Route } from './route';

/** What both buses share: the route table and the lookup. */
export abstract class MessageBus {
  /** Message class -> compiled route; filled once at start-up. */
  protected routes = new Map<unknown, Route>();
  private scheduler: DeadlineScheduler | undefined = undefined;
  /** Undefined when no OpenTelemetry SDK is registered: dispatch then creates no span at all. */
  private tracer: Tracer | undefined = undefined;

  protected abstract readonly kind: MessageKind;

  /** @internal Installs the routes built at start-up. */
  useRoutes(routes: Map<MessageClass, Route>, scheduler: DeadlineScheduler): void {
    this.routes = routes;
    this.scheduler = scheduler;
    // Start-up: whether an OpenTelemetry SDK is registered is decided now, once.
    refreshCelloTracer();
    this.tracer = celloTracer();
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
    // No SDK registered: no span, not even its attributes (the dispatch hot path).
    const tracer = this.tracer;
    if (tracer === undefined) return this.deliver(route, message, request, signal);
    const name = (message as object).constructor.name;
    return traceSpan(
      tracer,
      `${this.kind} ${name}`,
      {
        attributes: {
          'messaging.system': 'cello',
          'messaging.operation.name': 'dispatch',
          'messaging.destination.name': name,
          'cello.message.kind': this.kind,
        },
      },
      () => this.deliver(route, message, request, signal),
    );
  }

  private deliver(
    route: Route,
    message: object,
    request: unknown,
    signal: AbortSignal | undefined,
  ): Promise<unknown> {
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
