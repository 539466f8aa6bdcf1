/** Options of one `commandBus.dispatch(command, options)`. */
export interface CommandDispatchOptions {
  /**
   * The incoming request (e.g. the Express request), made available to
   * request-scoped and durable handlers as `REQUEST` and to `ContextIdFactory.getByRequest`.
   * Default: none.
   */
  readonly request?: unknown;
  /**
   * Cancels the dispatch (e.g. when the HTTP client goes away): it rejects
   * with the signal's reason, and the handler's `context.signal` aborts too. Default: none.
   */
  readonly signal?: AbortSignal;
}

/** Options of one `queryBus.dispatch(query, options)`. */
export interface QueryDispatchOptions extends CommandDispatchOptions {
  /**
   * Read-your-writes: wait until the read model (the projections kept in sync
   * by events) has processed this global position before running the query.
   * Needs `enableEventSync` and the event-sourcing module. Default: no wait.
   */
  readonly waitForPosition?: number;
  /** Projections (subscriber names) to wait for; default all of them. */
  readonly subscribers?: readonly string[];
  /** Longest wait for `waitForPosition`, in milliseconds. Default: the query's time limit. */
  readonly waitTimeoutMs?: number;
}
