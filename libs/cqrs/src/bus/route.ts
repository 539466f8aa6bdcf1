import {
  deadlineStage,
  directStage,
  type Execute,
  metricsStage,
  middlewareStage,
  signalStage,
  validateStage,
} from './dispatch-stages';
import type { RouteDefinition } from './route-definition';

export type { HandlerInvoker, RouteDefinition } from './route-definition';

/**
 * The compiled path of one message type, composed once at start-up from the
 * stages it needs (`dispatch-stages.ts`): validate, then the deadline (a time
 * limit) or metrics, then middleware, then the handler. So a dispatch is one
 * Map lookup and a call; with no stage at all it is the handler's own promise
 * (no wrapper, no extra microtask). A caller's `AbortSignal` takes a second
 * path, composed alongside: signal, validate, deadline.
 */
export class Route {
  /** Dispatches a message of this route's type. */
  readonly dispatch: (message: object, request: unknown) => Promise<unknown>;
  /**
   * Dispatches with a caller's `AbortSignal`: rejects with its reason when it
   * aborts (at once if it already has, without running anything) and aborts
   * the handler's `context.signal` too.
   */
  readonly dispatchWithSignal: (
    message: object,
    request: unknown,
    signal: AbortSignal,
  ) => Promise<unknown>;

  constructor(readonly definition: RouteDefinition) {
    const invoke = middlewareStage(definition);
    // Only the deadline stage can settle a dispatch before its handler.
    const settledByBus = deadlineStage(definition, invoke);
    const inner: Execute =
      definition.timeoutMs > 0
        ? settledByBus
        : definition.metrics !== undefined
          ? metricsStage(definition, invoke)
          : directStage(definition, invoke);
    this.dispatch = validateStage(definition, inner);
    this.dispatchWithSignal = signalStage(validateStage(definition, settledByBus));
  }
}
