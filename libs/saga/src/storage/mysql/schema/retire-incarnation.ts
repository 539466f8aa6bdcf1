import type { MysqlSagaSql } from './mysql-saga-sql';

/** Lapses our heartbeat row at once, so that others take our sagas without waiting a lease. */
export async function retireIncarnation(sql: MysqlSagaSql, incarnation: string): Promise<void> {
  await sql.run('retire an incarnation', (c) =>
    c.query(
      `UPDATE ${sql.tables.incarnations} ` +
        'SET expires_at = UTC_TIMESTAMP(3) - INTERVAL 1000 MICROSECOND WHERE incarnation = ?',
      [incarnation],
    ),
  );
}
