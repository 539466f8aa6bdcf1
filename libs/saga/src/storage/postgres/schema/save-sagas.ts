import { TERMINAL_SAGA_STATUSES } from '../../../machine/saga-machine.types';
import type { SagaWrite } from '../../saga-storage';
import { soleId } from '../../sql/saga-storage-error';
import type { PostgresSagaSql } from './postgres-saga-sql';

/** Updates a batch of sagas in one statement, each row fenced by its writer's owner and token. */
export async function saveSagas(sql: PostgresSagaSql, items: SagaWrite[]): Promise<boolean[]> {
  const rows = await sql.query<{ id: string }>(
    'save_sagas',
    `UPDATE ${sql.tables.instances} AS s
       SET status = u.status, state = u.state::jsonb, context = u.context::jsonb,
           updated_at = now(),
           lease_expires_at = now() + u.ttl * interval '1 millisecond'
     FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::bigint[], $7::bigint[])
       AS u(id, status, state, context, owner, token, ttl)
     WHERE s.id = u.id AND s.fencing_token = u.token AND s.lease_owner = u.owner
     RETURNING s.id`,
    [
      items.map((w) => w.id),
      items.map((w) => w.status),
      items.map((w) => w.stateJson ?? JSON.stringify(w.state)),
      items.map((w) => JSON.stringify(w.context)),
      items.map((w) => w.owner),
      items.map((w) => w.fencingToken),
      // A finished saga keeps no lease.
      items.map((w) => (TERMINAL_SAGA_STATUSES.includes(w.status) ? null : w.leaseTtlMs)),
    ],
    soleId(items),
  );
  const saved = new Set(rows.map((r) => r.id));
  return items.map((w) => saved.has(w.id));
}
