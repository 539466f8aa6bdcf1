import { sqlSagaTables, type SqlSagaTables } from '../sql/sql-saga-tables';

/** Quoted table names of the MySQL saga storage; `schema` is a MySQL database, undefined: the connection's own. */
export type MysqlSagaTables = SqlSagaTables;

/** Builds (and checks) the table names. */
export function mysqlSagaTables(schema?: string, prefix = 'cello_saga_'): MysqlSagaTables {
  return sqlSagaTables(schema, prefix, (identifier) => `\`${identifier}\``);
}
