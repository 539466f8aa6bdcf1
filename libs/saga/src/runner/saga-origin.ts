import { celloTracer, currentMessageContext, withTraceContext } from '@cello/core/internal';

/**
 * Where a saga came from, kept in its stored state (beside the attempt
 * history) so that the instance driving it after a recovery or restart
 * carries it on: the correlation id of the request or event that started
 * it, and that work's trace context for span links.
 */
export interface SagaOrigin {
  /** The correlation id its steps dispatch and append under. */
  readonly correlationId?: string;
  /** W3C trace context (`traceparent`, `tracestate`) of the work that started it. */
  readonly trace?: Readonly<Record<string, string>>;
}

/**
 * The machine's state JSON with `origin` appended as an `origin` field. The
 * Rust machine ignores fields it does not know, so the state resumes as before.
 */
export function withOrigin(stateJson: string, origin: SagaOrigin | undefined): string {
  if (origin === undefined || !stateJson.endsWith('}')) return stateJson;
  if (origin.correlationId === undefined && origin.trace === undefined) return stateJson;
  return `${stateJson.slice(0, -1)},"origin":${JSON.stringify(origin)}}`;
}

/** The origin stored in a saga's state; undefined for sagas saved before it was kept. */
export function originOf(state: unknown): SagaOrigin | undefined {
  const origin = (state as { origin?: unknown } | null)?.origin;
  if (typeof origin !== 'object' || origin === null) return undefined;
  const { correlationId, trace } = origin as { correlationId?: unknown; trace?: unknown };
  return {
    correlationId: typeof correlationId === 'string' ? correlationId : undefined,
    trace: isTextRecord(trace) ? trace : undefined,
  };
}

function isTextRecord(value: unknown): value is Record<string, string> {
  return (
    typeof value === 'object' &&
    value !== null &&
    !Array.isArray(value) &&
    Object.values(value).every((text) => typeof text === 'string')
  );
}

/**
 * The origin of a saga started now: the ambient correlation id and, when
 * traced, the trace context to link to: the appending span of the event a
 * subscriber handles, else the active span.
 */
export function originHere(): SagaOrigin {
  const context = currentMessageContext();
  return {
    correlationId: context?.correlationId,
    trace:
      celloTracer() === undefined ? undefined : traceOf(context?.linkFrom ?? withTraceContext({})),
  };
}

/** The W3C trace context fields of stored metadata (or a propagation carrier), if it has a `traceparent`. */
function traceOf(metadata: Readonly<Record<string, unknown>>): Record<string, string> | undefined {
  const { traceparent, tracestate } = metadata;
  if (typeof traceparent !== 'string') return undefined;
  return typeof tracestate === 'string' ? { traceparent, tracestate } : { traceparent };
}
