import type { PostgresSagaSql } from './postgres-saga-sql';

/** Lapses our heartbeat row at once, so that others take our sagas without waiting a lease. */
export async function retireIncarnation(sql: PostgresSagaSql, incarnation: string): Promise<void> {
  await sql.query(
    'retire_incarnation',
    `UPDATE ${sql.tables.incarnations} SET expires_at = now() - interval '1 millisecond'
     WHERE incarnation = $1`,
    [incarnation],
  );
}
