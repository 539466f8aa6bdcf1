import { traceSpan } from '@cello/core/internal';
import type { Tracer } from '@opentelemetry/api';
import type { MessageKind } from '../message/message-class';
import type { Route } from './route';

/**
 * `route` with each dispatch in a span of its own, `<kind> <Message>`. The bus
 * installs these only when an OpenTelemetry SDK is registered at start-up;
 * without one it keeps the plain routes, so a dispatch neither makes a span
 * nor checks whether to.
 */
export function tracedRoute(route: Route, kind: MessageKind, tracer: Tracer): Route {
  // Routes are keyed by the message's class, so its name is known here, once.
  const name = route.definition.messageType.name;
  const spanName = `${kind} ${name}`;
  const options = {
    attributes: {
      'messaging.system': 'cello',
      'messaging.operation.name': 'dispatch',
      'messaging.destination.name': name,
      'cello.message.kind': kind,
    },
  };
  return {
    definition: route.definition,
    dispatch: (message, request) =>
      traceSpan(tracer, spanName, options, () => route.dispatch(message, request)),
    dispatchWithSignal: (message, request, signal) =>
      traceSpan(tracer, spanName, options, () =>
        route.dispatchWithSignal(message, request, signal),
      ),
  };
}
