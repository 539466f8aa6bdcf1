import type { SagaRecord } from '../../saga-storage';
import { SAGA_COLUMNS, toSagaRecord, type MysqlSagaRow } from './mysql-saga-row';
import type { MysqlSagaSql } from './mysql-saga-sql';

export async function loadSaga(sql: MysqlSagaSql, id: string): Promise<SagaRecord | undefined> {
  const [rows] = await sql.run('load a saga', (c) =>
    c.query<MysqlSagaRow[]>(`SELECT ${SAGA_COLUMNS} FROM ${sql.tables.instances} WHERE id = ?`, [
      id,
    ]),
  );
  return rows[0] && toSagaRecord(rows[0]);
}
