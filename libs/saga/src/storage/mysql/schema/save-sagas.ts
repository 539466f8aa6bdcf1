import { TERMINAL_SAGA_STATUSES } from '../../../machine/saga-machine.types';
import type { SagaWrite } from '../../saga-storage';
import { soleId } from '../../sql/saga-storage-error';
import { lockHeldLeases } from './lock-held-leases';
import { micros, type MysqlSagaSql } from './mysql-saga-sql';

/** Splits a batch so that no saga appears twice in one statement, keeping order. */
export async function saveSagas(sql: MysqlSagaSql, items: SagaWrite[]): Promise<boolean[]> {
  const results: boolean[] = [];
  let start = 0;
  while (start < items.length) {
    const seen = new Set<string>();
    let end = start;
    while (end < items.length && !seen.has(items[end].id)) seen.add(items[end++].id);
    results.push(...(await saveDistinct(sql, items.slice(start, end))));
    start = end;
  }
  return results;
}

/** Locks the rows, keeps the writes whose lease is still the writer's, updates those. */
function saveDistinct(sql: MysqlSagaSql, items: SagaWrite[]): Promise<boolean[]> {
  return sql.transaction(
    'save sagas',
    async (c) => {
      const held = await lockHeldLeases(
        c,
        sql.tables,
        items.map((w) => [w.id, w.owner, w.fencingToken]),
      );
      const writes = items.filter((w) => held.has(w.id));
      if (writes.length > 0) {
        await c.query(
          `UPDATE ${sql.tables.instances} AS s JOIN (` +
            writes
              .map((_, i) =>
                i === 0
                  ? 'SELECT ? AS id, ? AS status, ? AS state, ? AS context, ? AS ttl'
                  : 'SELECT ?, ?, ?, ?, ?',
              )
              .join(' UNION ALL ') +
            ') AS u ON s.id = u.id SET s.status = u.status, s.state = u.state, ' +
            's.context = u.context, s.updated_at = UTC_TIMESTAMP(3), ' +
            's.lease_expires_at = IF(u.ttl IS NULL, NULL, UTC_TIMESTAMP(3) + INTERVAL u.ttl MICROSECOND)',
          writes.flatMap((w) => [
            w.id,
            w.status,
            JSON.stringify(w.state),
            JSON.stringify(w.context),
            // A finished saga keeps no lease.
            TERMINAL_SAGA_STATUSES.includes(w.status) ? null : micros(w.leaseTtlMs),
          ]),
        );
      }
      return items.map((w) => held.has(w.id));
    },
    false,
    soleId(items),
  );
}
