import type { MessageClass, MessageKind } from '../message/message-class';

/**
 * What a handler and its middleware know about one dispatch: which message
 * type, the caller's request (if any), the time limit and an `AbortSignal`
 * that aborts when the limit is reached. Middleware can hand values to the
 * handler with `set`/`get` (a transaction's `QueryRunner`, the current user).
 */
export class DispatchContext {
  private controller: AbortController | undefined = undefined;
  private abortReason: unknown = undefined;
  private items: Map<unknown, unknown> | undefined = undefined;

  constructor(
    /** `command` or `query`. */
    readonly kind: MessageKind,
    /** The dispatched message's class. */
    readonly messageType: MessageClass,
    /** The request passed with `dispatch(message, { request })`, for request-scoped handlers. */
    readonly request: unknown,
    /** The time limit of this dispatch in milliseconds; 0 when it has none. */
    readonly timeoutMs: number,
  ) {}

  /**
   * Aborts when the dispatch times out (its reason is the timeout error).
   * Pass it to whatever the handler awaits (fetch, a query, a timer) and stop
   * work when it fires. Made on first use, so dispatches that never read it pay nothing.
   */
  get signal(): AbortSignal {
    if (this.controller === undefined) {
      this.controller = new AbortController();
      if (this.abortReason !== undefined) this.controller.abort(this.abortReason);
    }
    return this.controller.signal;
  }

  /** True once the dispatch has timed out. */
  get aborted(): boolean {
    return this.abortReason !== undefined;
  }

  /** Stores a value for the rest of this dispatch (e.g. a transaction for the handler). */
  set<T>(key: unknown, value: T): void {
    (this.items ??= new Map()).set(key, value);
  }

  /** A value stored with {@link DispatchContext.set}, or `undefined`. */
  get<T>(key: unknown): T | undefined {
    return this.items?.get(key) as T | undefined;
  }

  /** @internal Called by the bus when the time limit is reached. */
  abort(reason: unknown): void {
    if (this.abortReason !== undefined) return;
    this.abortReason = reason;
    this.controller?.abort(reason);
  }
}
