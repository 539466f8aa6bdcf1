import type { RowDataPacket } from 'mysql2';
import type { SagaHeartbeat } from '../../saga-storage';
import { micros, type MysqlSagaSql } from './mysql-saga-sql';

/**
 * Inserts our row, or extends it unless it lapsed; then reads the others of
 * our instanceId still live. Rows lapsed for a day are swept when a process
 * first beats: no lease can still name them.
 */
export function heartbeat(
  sql: MysqlSagaSql,
  instanceId: string,
  incarnation: string,
  ttlMs: number,
): Promise<SagaHeartbeat> {
  const { incarnations } = sql.tables;
  return sql.transaction('heartbeat', async (c) => {
    // A lapsed row stays lapsed: a process declared gone may have lost its leases.
    const [own] = await c.query<RowDataPacket[]>(
      `SELECT expires_at < UTC_TIMESTAMP(3) AS lapsed FROM ${incarnations} ` +
        'WHERE incarnation = ? FOR UPDATE',
      [incarnation],
    );
    let expired = false;
    if (own.length === 0) {
      await c.query(
        `INSERT INTO ${incarnations} (incarnation, instance_id, expires_at) ` +
          'VALUES (?, ?, UTC_TIMESTAMP(3) + INTERVAL ? MICROSECOND)',
        [incarnation, instanceId, micros(ttlMs)],
      );
      await c.query(
        `DELETE FROM ${incarnations} WHERE expires_at < UTC_TIMESTAMP(3) - INTERVAL 1 DAY`,
      );
    } else if (Number(own[0].lapsed) === 1) {
      expired = true;
    } else {
      await c.query(
        `UPDATE ${incarnations} SET beats = beats + 1, ` +
          'expires_at = UTC_TIMESTAMP(3) + INTERVAL ? MICROSECOND WHERE incarnation = ?',
        [micros(ttlMs), incarnation],
      );
    }
    const [others] = await c.query<RowDataPacket[]>(
      `SELECT incarnation, beats FROM ${incarnations} ` +
        'WHERE instance_id = ? AND incarnation <> ? AND expires_at >= UTC_TIMESTAMP(3)',
      [instanceId, incarnation],
    );
    return {
      expired,
      others: others.map((r) => ({ incarnation: r.incarnation as string, beats: Number(r.beats) })),
    };
  });
}
