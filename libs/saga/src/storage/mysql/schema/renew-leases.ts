import { lockHeldLeases } from './lock-held-leases';
import { micros, placeholders, type MysqlSagaSql } from './mysql-saga-sql';

/** Extends the leases still held with the given fencing tokens; resolves with their ids. */
export function renewLeases(
  sql: MysqlSagaSql,
  owner: string,
  leases: ReadonlyMap<string, number>,
  leaseTtlMs: number,
): Promise<string[]> {
  return sql.transaction('renew leases', async (c) => {
    const held = await lockHeldLeases(
      c,
      sql.tables,
      [...leases].map(([id, token]) => [id, owner, token] as const),
    );
    if (held.size === 0) return [];
    const ids = [...held];
    await c.query(
      `UPDATE ${sql.tables.instances} SET lease_expires_at = UTC_TIMESTAMP(3) + INTERVAL ? MICROSECOND ` +
        `WHERE id IN (${placeholders(ids)})`,
      [micros(leaseTtlMs), ...ids],
    );
    return ids;
  });
}
