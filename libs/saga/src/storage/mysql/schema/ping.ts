import type { MysqlSagaSql } from './mysql-saga-sql';

/** One round trip: the health check. */
export async function ping(sql: MysqlSagaSql): Promise<void> {
  await sql.run('ping', (c) => c.query('SELECT 1'));
}
