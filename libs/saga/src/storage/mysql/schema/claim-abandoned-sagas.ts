import type { RowDataPacket } from 'mysql2';
import type { SagaRecord } from '../../saga-storage';
import type { SqlSagaOperations } from '../../sql/sql-saga-operations';
import { UNFINISHED } from './mysql-saga-row';
import { placeholders, type MysqlSagaSql } from './mysql-saga-sql';
import { takeLeases } from './take-leases';

/**
 * Takes unfinished sagas whose lease expired or whose process is proven gone.
 * SKIP LOCKED: two instances scanning together each get different rows; a
 * locking read sees the latest lease, so a row claimed meanwhile is left out.
 * A live lease is taken only when its process is proven gone (heartbeat
 * lapsed or retired), read first without locks so that heartbeats never wait.
 */
export function claimAbandonedSagas(
  sql: MysqlSagaSql,
  ...[owner, leaseTtlMs, limit, claimer = {}]: Parameters<SqlSagaOperations['claimAbandoned']>
): Promise<SagaRecord[]> {
  const { instances, incarnations } = sql.tables;
  return sql.transaction(
    'claim abandoned sagas',
    async (c) => {
      const [gone] = await c.query<RowDataPacket[]>(
        `SELECT DISTINCT i.incarnation FROM ${incarnations} AS i ` +
          `JOIN ${instances} AS s ON s.lease_incarnation = i.incarnation ` +
          `WHERE i.expires_at < UTC_TIMESTAMP(3) AND s.${UNFINISHED}`,
      );
      const goneIds = gone.map((r) => r.incarnation as string);
      const busy = claimer.busy ?? [];
      const [candidates] = await c.query<RowDataPacket[]>(
        `SELECT id FROM ${instances} WHERE ${UNFINISHED} ` +
          'AND (lease_expires_at < UTC_TIMESTAMP(3)' +
          (goneIds.length > 0 ? ` OR lease_incarnation IN (${placeholders(goneIds)}))` : ')') +
          (busy.length > 0 ? ` AND id NOT IN (${placeholders(busy)})` : '') +
          ` ORDER BY lease_expires_at LIMIT ? FOR UPDATE${sql.skipLocked ? ' SKIP LOCKED' : ''}`,
        [...goneIds, ...busy, limit],
      );
      return takeLeases(
        c,
        sql.tables,
        candidates.map((r) => r.id as string),
        owner,
        leaseTtlMs,
        claimer.incarnation,
      );
    },
    true,
  );
}
