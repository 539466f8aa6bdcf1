import type { SagaListQuery, SagaRecord } from '../../saga-storage';
import { SAGA_COLUMNS, toSagaRecord, type MysqlSagaRow } from './mysql-saga-row';
import { placeholders, type MysqlSagaSql } from './mysql-saga-sql';

/** Newest first, filtered by status and saga name. */
export async function listSagas(
  sql: MysqlSagaSql,
  query: SagaListQuery = {},
): Promise<SagaRecord[]> {
  const statuses = query.status === undefined ? undefined : [query.status].flat();
  const where: string[] = [];
  const values: unknown[] = [];
  if (statuses) {
    if (statuses.length === 0) return [];
    where.push(`status IN (${placeholders(statuses)})`);
    values.push(...statuses);
  }
  if (query.sagaName !== undefined) {
    where.push('saga_name = ?');
    values.push(query.sagaName);
  }
  const [rows] = await sql.run('list sagas', (c) =>
    c.query<MysqlSagaRow[]>(
      `SELECT ${SAGA_COLUMNS} FROM ${sql.tables.instances}` +
        (where.length > 0 ? ` WHERE ${where.join(' AND ')}` : '') +
        ' ORDER BY created_at DESC, id LIMIT ?',
      [...values, query.limit ?? 100],
    ),
  );
  return rows.map(toSagaRecord);
}
