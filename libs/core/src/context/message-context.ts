import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';

/**
 * What the message being handled passes on to what it causes: the request's
 * correlation id, and the id of the message (command, event, saga step) that
 * the events appended now are caused by. Set by the command bus, the
 * subscription delivery and the saga runner; read by `EventStore.append`.
 */
export interface MessageContext {
  readonly correlationId: string;
  readonly causationId: string;
  /**
   * The stored metadata (with its `traceparent`) of the event being handled,
   * set by the subscription delivery: work started from it in the background
   * (a saga) links its own trace to the event's appending span.
   */
  readonly linkFrom?: Readonly<Record<string, unknown>>;
}

const storage = new AsyncLocalStorage<MessageContext>();

/**
 * Whether the command bus makes message contexts: turned on by what reads
 * them (the event store), so an app with buses only pays nothing for contexts
 * no one reads. An object, so the bus can keep a direct reference (a plain
 * property read per dispatch, no call through the re-exports).
 */
export const messageContextSwitch: { enabled: boolean } = { enabled: false };

/** Turns on the command bus's message contexts (see {@link messageContextSwitch}). */
export function enableMessageContext(): void {
  messageContextSwitch.enabled = true;
}

/** Runs `fn` with `context` as the ambient message context (for everything it awaits too). */
export function runInMessageContext<T>(context: MessageContext, fn: () => T): T {
  return storage.run(context, fn);
}

/** The ambient message context, or `undefined` outside any dispatch or delivery. */
export function currentMessageContext(): MessageContext | undefined {
  return storage.getStore();
}

/** The correlation and causation ids of the ambient context, as event metadata (or undefined). */
export function ambientEventMetadata(): Record<string, unknown> | undefined {
  const context = storage.getStore();
  if (context === undefined) return undefined;
  return { correlationId: context.correlationId, causationId: context.causationId };
}

const TRACEPARENT = /^[\da-f]{2}-([\da-f]{32})-[\da-f]{16}-[\da-f]{2}/;
const MAX_CORRELATION_ID_LENGTH = 200;

/**
 * The correlation id an incoming request names: its `x-correlation-id`
 * header, else the trace id of its W3C `traceparent` header. Undefined when
 * it names none (or an unusable one: empty or longer than 200 characters).
 */
export function correlationIdOfRequest(request: unknown): string | undefined {
  const headers = (request as { headers?: Record<string, unknown> } | null | undefined)?.headers;
  if (typeof headers !== 'object' || headers === null) return undefined;
  const given = headerValue(headers['x-correlation-id']);
  if (given !== undefined && given !== '' && given.length <= MAX_CORRELATION_ID_LENGTH) {
    return given;
  }
  const traceparent = headerValue(headers['traceparent']);
  const traceId = traceparent === undefined ? undefined : TRACEPARENT.exec(traceparent)?.[1];
  // An all-zero trace id is invalid in W3C trace context.
  return traceId === undefined || /^0+$/.test(traceId) ? undefined : traceId;
}

function headerValue(value: unknown): string | undefined {
  if (Array.isArray(value)) value = value[0];
  return typeof value === 'string' ? value.trim() : undefined;
}

/**
 * The context of one command dispatch: its correlation id is the enclosing
 * context's, else the request's, else new; events it appends are caused by
 * the command (its `messageId`). Ids are made on first read, so a dispatch
 * whose handler appends nothing pays for no uuid and no header parsing.
 */
export class CommandMessageContext implements MessageContext {
  private correlation: string | undefined = undefined;
  private id: string | undefined = undefined;

  constructor(
    private readonly request: unknown,
    private readonly parent: MessageContext | undefined,
  ) {}

  /** This dispatch's own id. */
  get messageId(): string {
    return (this.id ??= randomUUID());
  }

  get correlationId(): string {
    return (this.correlation ??=
      this.parent?.correlationId ?? correlationIdOfRequest(this.request) ?? randomUUID());
  }

  get causationId(): string {
    return this.messageId;
  }
}
