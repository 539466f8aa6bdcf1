import type { RowDataPacket } from 'mysql2';
import type { SagaStatus } from '../../../machine/saga-machine.types';
import type { SagaRecord } from '../../saga-storage';
import type { MysqlSagaSql } from './mysql-saga-sql';
import { takeLeases } from './take-leases';

/** Takes one saga in `status` over, whoever holds it, with a new fencing token. */
export async function claimSaga(
  sql: MysqlSagaSql,
  id: string,
  status: SagaStatus,
  owner: string,
  leaseTtlMs: number,
  incarnation?: string,
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
