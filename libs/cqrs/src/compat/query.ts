import type { IQuery } from './interfaces/message.interfaces';
import type { RESULT_TYPE_SYMBOL } from './result-type';

/** A query class whose handler returns `T`: `queryBus.execute(q)` is typed `Promise<T>`. */
export class Query<T> implements IQuery {
  /** Phantom: records `T` for the type checker only (never set, never read). */
  declare readonly [RESULT_TYPE_SYMBOL]: T;
}

/** The result type a `Query<R>` declares. */
export type QueryResult<Q extends Query<unknown>> = Q extends Query<infer R> ? R : never;
