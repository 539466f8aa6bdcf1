import type { PoolConnection } from 'mysql2/promise';
import type { SagaRecord } from '../../saga-storage';
import type { MysqlSagaTables } from '../mysql-saga-tables';
import { SAGA_COLUMNS, toSagaRecord, type MysqlSagaRow } from './mysql-saga-row';
import { micros, placeholders } from './mysql-saga-sql';

/** Takes over the (locked) sagas for `owner` with a new fencing token, and reads them back. */
export async function takeLeases(
  c: PoolConnection,
  tables: MysqlSagaTables,
  ids: string[],
  owner: string,
  leaseTtlMs: number,
  incarnation: string | undefined,
): Promise<SagaRecord[]> {
  if (ids.length === 0) return [];
  const list = placeholders(ids);
  await c.query(
    `UPDATE ${tables.instances} SET lease_owner = ?, lease_incarnation = ?, ` +
      'fencing_token = fencing_token + 1, ' +
      `lease_expires_at = UTC_TIMESTAMP(3) + INTERVAL ? MICROSECOND WHERE id IN (${list})`,
    [owner, incarnation ?? null, micros(leaseTtlMs), ...ids],
  );
  const [rows] = await c.query<MysqlSagaRow[]>(
    `SELECT ${SAGA_COLUMNS} FROM ${tables.instances} WHERE id IN (${list}) ORDER BY lease_expires_at, id`,
    ids,
  );
  return rows.map(toSagaRecord);
}
