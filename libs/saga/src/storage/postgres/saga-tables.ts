import { sqlSagaTables, type SqlSagaTables } from '../sql/sql-saga-tables';

/** Qualified table names of the PostgreSQL saga storage: `"schema"."<prefix>instances"`... */
export type SagaTables = SqlSagaTables & { readonly schema: string };

/** Builds (and checks) the table names, in schema `public` unless told. */
export function sagaTables(schema = 'public', prefix = 'cello_saga_'): SagaTables {
  return sqlSagaTables(schema, prefix, (identifier) => `"${identifier}"`) as SagaTables;
}
