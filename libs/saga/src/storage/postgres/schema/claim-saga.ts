import type { SagaRecord } from '../../saga-storage';
import type { SqlSagaOperations } from '../../sql/sql-saga-operations';
import { toSagaRecord, type PostgresSagaRow } from './postgres-saga-row';
import type { PostgresSagaSql } from './postgres-saga-sql';

/** Takes one saga in `status` over, whoever holds it, with a new fencing token. */
export async function claimSaga(
  sql: PostgresSagaSql,
  ...[id, status, owner, leaseTtlMs, incarnation]: Parameters<SqlSagaOperations['claim']>
): Promise<SagaRecord | undefined> {
  const rows = await sql.query<PostgresSagaRow>(
    'claim_saga',
    `UPDATE ${sql.tables.instances}
       SET lease_owner = $3, lease_incarnation = $5, fencing_token = fencing_token + 1,
           lease_expires_at = now() + $4 * interval '1 millisecond'
     WHERE id = $1 AND status = $2
     RETURNING *`,
    [id, status, owner, leaseTtlMs, incarnation ?? null],
  );
  return rows[0] && toSagaRecord(rows[0]);
}
