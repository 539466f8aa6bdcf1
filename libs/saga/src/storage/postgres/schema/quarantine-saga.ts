import type { PostgresSagaSql } from './postgres-saga-sql';

/** Marks a saga corrupt if the lease is still the caller's; the state is left for an operator to see. */
export async function quarantineSaga(
  sql: PostgresSagaSql,
  id: string,
  owner: string,
  fencingToken: number,
): Promise<boolean> {
  const rows = await sql.query<{ id: string }>(
    'quarantine_saga',
    `UPDATE ${sql.tables.instances}
       SET status = 'corrupt', lease_expires_at = NULL, updated_at = now()
     WHERE id = $1 AND lease_owner = $2 AND fencing_token = $3
     RETURNING id`,
    [id, owner, fencingToken],
  );
  return rows.length === 1;
}
