import type { MessageClass, MessageKind } from '../message/message-class';
import type { BusMiddleware } from '../middleware/bus-middleware';
import type { DeadlineQueue } from '../timeouts/deadline-queue';
import type { MessageValidator } from '../validation/message-validator';
import type { DispatchContext } from './dispatch-context';
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
