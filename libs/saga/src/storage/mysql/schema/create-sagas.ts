import type { SagaCreate } from '../../sql/sql-saga-operations';
import { soleId } from '../../sql/saga-storage-error';
import { micros, type MysqlSagaSql } from './mysql-saga-sql';

/**
 * Inserts a batch of new sagas. A multi-row INSERT is all or nothing: when an
 * id exists already (or twice in the batch), the coalescer writes each alone,
 * and a duplicate alone reports false.
 */
export async function createSagas(sql: MysqlSagaSql, items: SagaCreate[]): Promise<boolean[]> {
  try {
    await insertSagas(sql, items);
    return items.map(() => true);
  } catch (error) {
    if (items.length === 1 && isDuplicateKey(error)) return [false];
    throw error;
  }
}

async function insertSagas(sql: MysqlSagaSql, items: SagaCreate[]): Promise<void> {
  const row =
    '(?, ?, ?, ?, ?, ?, ?, UTC_TIMESTAMP(3) + INTERVAL ? MICROSECOND, 1, UTC_TIMESTAMP(3), UTC_TIMESTAMP(3))';
  await sql.run(
    'create sagas',
    (c) =>
      c.query(
        `INSERT INTO ${sql.tables.instances} ` +
          '(id, saga_name, status, state, context, lease_owner, lease_incarnation, lease_expires_at, fencing_token, created_at, updated_at) VALUES ' +
          items.map(() => row).join(', '),
        items.flatMap((w) => [
          w.id,
          w.sagaName,
          w.status,
          JSON.stringify(w.state),
          JSON.stringify(w.context),
          w.owner,
          w.incarnation ?? null,
          micros(w.leaseTtlMs),
        ]),
      ),
    soleId(items),
  );
}

/** MySQL's ER_DUP_ENTRY, wrapped by `run` as the cause of a storage error. */
function isDuplicateKey(error: unknown): boolean {
  const cause = (error as { cause?: { errno?: number } }).cause;
  return cause?.errno === 1062;
}
