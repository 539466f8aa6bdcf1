import type { PostgresSagaSql } from './postgres-saga-sql';

/** One round trip: the health check. */
export async function ping(sql: PostgresSagaSql): Promise<void> {
  await sql.query('ping', 'SELECT 1', []);
}
