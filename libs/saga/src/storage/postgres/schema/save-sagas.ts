import { TERMINAL_SAGA_STATUSES } from '../../../machine/saga-machine.types';
import type { SagaWrite } from '../../saga-storage';
import { soleId } from '../../sql/saga-storage-error';
import type { PostgresSagaSql } from './postgres-saga-sql';

/**
 * Updates a batch of sagas in one statement, each row fenced by its writer's
 * owner and token. The batch goes as one JSON array of rows, each state
 * embedded as the JSON the machine produced: no per-element escaping into
 * `text[]` literals, which was the largest client cost of a save (issue 22).
 */
export async function saveSagas(sql: PostgresSagaSql, items: SagaWrite[]): Promise<boolean[]> {
  const rows = await sql.query<{ id: string }>(
    'save_sagas_json',
    `UPDATE ${sql.tables.instances} AS s
       SET status = u.status, state = u.state, context = u.context,
           updated_at = now(),
           lease_expires_at = now() + u.ttl * interval '1 millisecond'
     FROM json_to_recordset($1::json)
       AS u(id text, status text, state jsonb, context jsonb, owner text, token bigint, ttl bigint)
     WHERE s.id = u.id AND s.fencing_token = u.token AND s.lease_owner = u.owner
     RETURNING s.id`,
    [`[${items.map(saveRow).join(',')}]`],
    soleId(items),
  );
  const saved = new Set(rows.map((r) => r.id));
  return items.map((w) => saved.has(w.id));
}

/** One row of the batch as JSON; a finished saga keeps no lease (ttl null). */
function saveRow(w: SagaWrite): string {
  const ttl = TERMINAL_SAGA_STATUSES.includes(w.status) ? null : w.leaseTtlMs;
  return (
    `{"id":${JSON.stringify(w.id)},"status":${JSON.stringify(w.status)},` +
    `"state":${w.stateJson ?? JSON.stringify(w.state)},"context":${JSON.stringify(w.context)},` +
    `"owner":${JSON.stringify(w.owner)},"token":${JSON.stringify(w.fencingToken)},"ttl":${JSON.stringify(ttl)}}`
  );
}
