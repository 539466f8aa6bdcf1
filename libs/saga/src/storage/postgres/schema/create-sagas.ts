import type { SagaCreate } from '../../sql/sql-saga-operations';
import { soleId } from '../../sql/saga-storage-error';
import type { PostgresSagaSql } from './postgres-saga-sql';

/**
 * Inserts a batch of new sagas in one `unnest` statement. An id that exists
 * already (or earlier in the batch) is skipped, not an error: only the first
 * of a batch's writes of one id can be the one that created it.
 */
export async function createSagas(sql: PostgresSagaSql, items: SagaCreate[]): Promise<boolean[]> {
  const rows = await sql.query<{ id: string }>(
    'create_sagas',
    `INSERT INTO ${sql.tables.instances}
       (id, saga_name, status, state, context, lease_owner, lease_incarnation,
        lease_expires_at, fencing_token)
     SELECT u.id, u.saga_name, u.status, u.state::jsonb, u.context::jsonb, u.owner, u.incarnation,
            now() + u.ttl * interval '1 millisecond', 1
     FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::bigint[],
                 $8::text[])
       AS u(id, saga_name, status, state, context, owner, ttl, incarnation)
     ON CONFLICT (id) DO NOTHING
     RETURNING id`,
    [
      items.map((w) => w.id),
      items.map((w) => w.sagaName),
      items.map((w) => w.status),
      items.map((w) => w.stateJson ?? JSON.stringify(w.state)),
      items.map((w) => JSON.stringify(w.context)),
      items.map((w) => w.owner),
      items.map((w) => w.leaseTtlMs),
      items.map((w) => w.incarnation ?? null),
    ],
    soleId(items),
  );
  const created = new Set(rows.map((row) => row.id));
  return items.map((w) => created.delete(w.id));
}
