import type { SagaRecord } from '../../saga-storage';
import type { SqlSagaOperations } from '../../sql/sql-saga-operations';
import { toSagaRecord, type PostgresSagaRow } from './postgres-saga-row';
import type { PostgresSagaSql } from './postgres-saga-sql';

/**
 * Takes unfinished sagas whose lease expired or whose process is proven gone.
 * SKIP LOCKED: two instances scanning together each get different rows; the
 * outer WHERE re-checks the lease after any row lock wait. A live lease is
 * taken only when its process is proven gone (heartbeat lapsed or retired); a
 * process without a heartbeat row proves nothing.
 */
export async function claimAbandonedSagas(
  sql: PostgresSagaSql,
  ...[owner, leaseTtlMs, limit, claimer = {}]: Parameters<SqlSagaOperations['claimAbandoned']>
): Promise<SagaRecord[]> {
  const { instances, incarnations } = sql.tables;
  const abandoned = `(lease_expires_at < now() OR lease_incarnation IN (
      SELECT incarnation FROM ${incarnations} WHERE expires_at < now()))`;
  const rows = await sql.query<PostgresSagaRow>(
    'claim_abandoned',
    `UPDATE ${instances}
       SET lease_owner = $1, lease_incarnation = $4, fencing_token = fencing_token + 1,
           lease_expires_at = now() + $2 * interval '1 millisecond'
     WHERE id IN (
         SELECT id FROM ${instances}
         WHERE status IN ('running', 'compensating') AND ${abandoned}
           AND id <> ALL($5::text[])
         ORDER BY lease_expires_at
         LIMIT $3
         FOR UPDATE SKIP LOCKED)
       AND ${abandoned}
     RETURNING *`,
    [owner, leaseTtlMs, limit, claimer.incarnation ?? null, claimer.busy ?? []],
  );
  return rows.map(toSagaRecord);
}
