import type { SqlSagaOperations } from './sql-saga-operations';

/** A backend's implementation of operation `K`, given what its statements run on (`S`). */
export type SqlSagaOperation<S, K extends keyof SqlSagaOperations> = (
  sql: S,
  ...args: Parameters<SqlSagaOperations[K]>
) => ReturnType<SqlSagaOperations[K]>;

/** Every operation of a backend: its `schema/index.ts`, one file per operation. */
export type SqlSagaSchema<S> = { [K in keyof SqlSagaOperations]: SqlSagaOperation<S, K> };

/** The operations of a schema, bound to what their statements run on. */
export function bindSqlSagaSchema<S>(sql: S, schema: SqlSagaSchema<S>): SqlSagaOperations {
  const bound: Partial<Record<keyof SqlSagaOperations, unknown>> = {};
  for (const name of Object.keys(schema) as (keyof SqlSagaOperations)[]) {
    const operation = schema[name] as (sql: S, ...args: unknown[]) => unknown;
    bound[name] = (...args: unknown[]) => operation(sql, ...args);
  }
  return bound as SqlSagaOperations;
}
