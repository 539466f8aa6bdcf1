/** Type-only key that carries a query's result type; nothing is stored at run time. */
declare const queryResult: unique symbol;

/**
 * Base class of queries (read operations). `TResult` is what the handler
 * returns, so `queryBus.dispatch(new GetOrderQuery(id))` is typed as that
 * result without a cast.
 */
export abstract class Query<TResult = unknown> {
  /** Phantom: records `TResult` for the type checker only (never set, never read). */
  declare readonly [queryResult]: TResult;
}

/** The result type a query class declares through `Query<TResult>`. */
export type QueryResultOf<Q> = Q extends Query<infer R> ? R : never;
