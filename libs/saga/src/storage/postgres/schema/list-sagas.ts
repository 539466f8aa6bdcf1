import type { SagaListQuery, SagaRecord } from '../../saga-storage';
import { toSagaRecord, type PostgresSagaRow } from './postgres-saga-row';
import type { PostgresSagaSql } from './postgres-saga-sql';

/** Newest first, filtered by status and saga name. */
export async function listSagas(
  sql: PostgresSagaSql,
  query: SagaListQuery = {},
): Promise<SagaRecord[]> {
  const statuses = query.status === undefined ? null : [query.status].flat();
  const rows = await sql.query<PostgresSagaRow>(
    'list_sagas',
    `SELECT * FROM ${sql.tables.instances}
     WHERE ($1::text[] IS NULL OR status = ANY($1)) AND ($2::text IS NULL OR saga_name = $2)
     ORDER BY created_at DESC, id LIMIT $3`,
    [statuses, query.sagaName ?? null, query.limit ?? 100],
  );
  return rows.map(toSagaRecord);
}
