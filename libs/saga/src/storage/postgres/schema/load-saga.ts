import type { SagaRecord } from '../../saga-storage';
import { toSagaRecord, type PostgresSagaRow } from './postgres-saga-row';
import type { PostgresSagaSql } from './postgres-saga-sql';

export async function loadSaga(sql: PostgresSagaSql, id: string): Promise<SagaRecord | undefined> {
  const rows = await sql.query<PostgresSagaRow>(
    'load_saga',
    `SELECT * FROM ${sql.tables.instances} WHERE id = $1`,
    [id],
  );
  return rows[0] && toSagaRecord(rows[0]);
}
