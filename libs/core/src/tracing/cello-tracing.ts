import type * as OtelApi from '@opentelemetry/api';
import { isOptionalPeerInstalled, loadOptionalPeer } from '../peers/load-optional-peer';

/** The name Cello's spans are created under (the instrumentation scope). */
export const CELLO_TRACER_NAME = '@cello/nestjs';

/** Attributes of a Cello span; undefined values are left out. */
export type CelloSpanAttributes = Record<string, string | number | boolean | undefined>;

/** What a span is: its kind, attributes, and the stored trace context it follows from (a link). */
export interface CelloSpanOptions {
  readonly kind?: 'internal' | 'producer' | 'consumer' | 'client' | 'server';
  readonly attributes?: CelloSpanAttributes;
  /** Metadata holding a `traceparent` (written at append): the span links to that span. */
  readonly linkFrom?: Readonly<Record<string, unknown>>;
  /** More metadata to link from, one link each (a batch of events). */
  readonly linksFrom?: readonly (Readonly<Record<string, unknown>> | undefined)[];
  /** Starts a new trace even when a span is active (work that outlives the one that started it). */
  readonly root?: boolean;
}

// undefined: not looked up yet; null: @opentelemetry/api is not installed.
let api: typeof OtelApi | null | undefined;
let noopProvider: OtelApi.TracerProvider | undefined;

function otel(): typeof OtelApi | null {
  if (api === undefined) {
    api = isOptionalPeerInstalled('@opentelemetry/api', require)
      ? loadOptionalPeer<typeof OtelApi>('@opentelemetry/api', 'Cello tracing', require)
      : null;
    // A proxy without a delegate hands out the API's one no-op provider.
    noopProvider = api ? new api.ProxyTracerProvider().getDelegate() : undefined;
  }
  return api;
}

// The tracer decided once (see celloTracer); undefined: not decided yet.
let decided: { readonly tracer: OtelApi.Tracer | undefined } | undefined;

/**
 * The tracer, or undefined when no SDK is registered (or the API is not
 * installed): callers then skip span creation entirely. Decided on first use
 * and again after `refreshCelloTracer()` (called at start-up), not per
 * operation: the global provider lookup costs more than a whole dispatch.
 * So an SDK must be registered before the app starts, as OpenTelemetry asks.
 */
export function celloTracer(): OtelApi.Tracer | undefined {
  return (decided ??= { tracer: lookUpTracer() }).tracer;
}

/** Decides again whether an SDK is registered (at application start-up). */
export function refreshCelloTracer(): void {
  decided = undefined;
}

function lookUpTracer(): OtelApi.Tracer | undefined {
  const otelApi = otel();
  if (otelApi === null) return undefined;
  const provider = otelApi.trace.getTracerProvider();
  if (provider instanceof otelApi.ProxyTracerProvider && provider.getDelegate() === noopProvider) {
    return undefined;
  }
  return provider.getTracer(CELLO_TRACER_NAME);
}

/** Runs `fn` in a new active span of `tracer`; the span records a failure and ends with `fn`. */
export function traceSpan<T>(
  tracer: OtelApi.Tracer,
  name: string,
  options: CelloSpanOptions,
  fn: () => Promise<T>,
): Promise<T> {
  const otelApi = otel()!;
  const links: OtelApi.Link[] = [];
  for (const from of [options.linkFrom, ...(options.linksFrom ?? [])]) {
    const link = from ? linkTo(otelApi, from) : undefined;
    if (link) links.push(link);
  }
  const spanOptions: OtelApi.SpanOptions = {
    kind: spanKind(otelApi, options.kind),
    attributes: definedOnly(options.attributes),
    links: links.length > 0 ? links : undefined,
    root: options.root,
  };
  return tracer.startActiveSpan(name, spanOptions, async (span) => {
    try {
      return await fn();
    } catch (error) {
      if (error instanceof Error) span.recordException(error);
      span.setStatus({ code: otelApi.SpanStatusCode.ERROR, message: String(error) });
      throw error;
    } finally {
      span.end();
    }
  });
}

/** `fn` in a span when an SDK is registered, else `fn` alone; `options` is only built when traced. */
export function traced<T>(
  name: string,
  options: () => CelloSpanOptions,
  fn: () => Promise<T>,
): Promise<T> {
  const tracer = celloTracer();
  return tracer === undefined ? fn() : traceSpan(tracer, name, options(), fn);
}

/**
 * The metadata with the active span's trace context (`traceparent`, through
 * the registered propagator) added, so work done later on behalf of it can
 * link back. Unchanged when nothing is traced.
 */
export function withTraceContext(metadata: Record<string, unknown>): Record<string, unknown> {
  if (celloTracer() === undefined) return metadata;
  const otelApi = otel()!;
  if (otelApi.trace.getActiveSpan() === undefined) return metadata;
  const carrier: Record<string, string> = {};
  otelApi.propagation.inject(otelApi.context.active(), carrier);
  return Object.keys(carrier).length === 0 ? metadata : { ...metadata, ...carrier };
}

function linkTo(
  otelApi: typeof OtelApi,
  metadata: Readonly<Record<string, unknown>>,
): OtelApi.Link | undefined {
  if (typeof metadata.traceparent !== 'string') return undefined;
  const extracted = otelApi.propagation.extract(otelApi.ROOT_CONTEXT, metadata, {
    keys: (carrier) => Object.keys(carrier),
    get: (carrier, key) => {
      const value = carrier[key];
      return typeof value === 'string' ? value : undefined;
    },
  });
  const spanContext = otelApi.trace.getSpanContext(extracted);
  return spanContext && otelApi.isSpanContextValid(spanContext)
    ? { context: spanContext }
    : undefined;
}

function spanKind(otelApi: typeof OtelApi, kind: CelloSpanOptions['kind']): OtelApi.SpanKind {
  switch (kind) {
    case 'producer':
      return otelApi.SpanKind.PRODUCER;
    case 'consumer':
      return otelApi.SpanKind.CONSUMER;
    case 'client':
      return otelApi.SpanKind.CLIENT;
    case 'server':
      return otelApi.SpanKind.SERVER;
    default:
      return otelApi.SpanKind.INTERNAL;
  }
}

function definedOnly(attributes: CelloSpanAttributes | undefined): OtelApi.Attributes | undefined {
  if (attributes === undefined) return undefined;
  const defined: OtelApi.Attributes = {};
  for (const [key, value] of Object.entries(attributes))
    if (value !== undefined) defined[key] = value;
  return defined;
}
