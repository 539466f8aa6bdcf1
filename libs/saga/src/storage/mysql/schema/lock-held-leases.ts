import type { RowDataPacket } from 'mysql2';
import type { PoolConnection } from 'mysql2/promise';
import type { MysqlSagaTables } from '../mysql-saga-tables';
import { placeholders } from './mysql-saga-sql';

/** One lease as its writer believes it holds it. */
export type HeldLease = readonly [id: string, owner: string, token: number];

/** Row-locks the given sagas (in a transaction); the ids whose owner and fencing token match. */
export async function lockHeldLeases(
  c: PoolConnection,
  tables: MysqlSagaTables,
  leases: readonly HeldLease[],
): Promise<Set<string>> {
  const [rows] = await c.query<RowDataPacket[]>(
    `SELECT id, lease_owner, fencing_token FROM ${tables.instances} ` +
      `WHERE id IN (${placeholders(leases)}) FOR UPDATE`,
    leases.map(([id]) => id),
  );
  const current = new Map(rows.map((r) => [r.id as string, r]));
  return new Set(
    leases
      .filter(([id, owner, token]) => {
        const row = current.get(id);
        return (
          row !== undefined && row.lease_owner === owner && Number(row.fencing_token) === token
        );
      })
      .map(([id]) => id),
  );
}
