import type { ResultSetHeader } from 'mysql2';
import type { MysqlSagaSql } from './mysql-saga-sql';

/** Marks a saga corrupt if the lease is still the caller's; the state is left for an operator to see. */
export async function quarantineSaga(
  sql: MysqlSagaSql,
  id: string,
  owner: string,
  fencingToken: number,
): Promise<boolean> {
  const [result] = await sql.run('quarantine a saga', (c) =>
    c.query<ResultSetHeader>(
      `UPDATE ${sql.tables.instances} SET status = 'corrupt', lease_expires_at = NULL, ` +
        'updated_at = UTC_TIMESTAMP(3) WHERE id = ? AND lease_owner = ? AND fencing_token = ?',
      [id, owner, fencingToken],
    ),
  );
  return result.affectedRows === 1;
}
