import type { RowDataPacket } from 'mysql2';
import type { SagaRecord } from '../../saga-storage';
import type { SqlSagaOperations } from '../../sql/sql-saga-operations';
import type { MysqlSagaSql } from './mysql-saga-sql';
import { takeLeases } from './take-leases';

/** Takes one saga in `status` over, whoever holds it, with a new fencing token. */
export async function claimSaga(
  sql: MysqlSagaSql,
  ...[id, status, owner, leaseTtlMs, incarnation]: Parameters<SqlSagaOperations['claim']>
): Promise<SagaRecord | undefined> {
  const [record] = await sql.transaction('claim a saga', async (c) => {
    const [rows] = await c.query<RowDataPacket[]>(
      `SELECT id FROM ${sql.tables.instances} WHERE id = ? AND status = ? FOR UPDATE`,
      [id, status],
    );
    const ids = rows.map((r) => r.id as string);
    return takeLeases(c, sql.tables, ids, owner, leaseTtlMs, incarnation);
  });
  return record;
}
