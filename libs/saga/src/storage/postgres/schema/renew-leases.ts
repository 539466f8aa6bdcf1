import type { PostgresSagaSql } from './postgres-saga-sql';

/** Extends the leases still held with the given fencing tokens; resolves with their ids. */
export async function renewLeases(
  sql: PostgresSagaSql,
  owner: string,
  leases: ReadonlyMap<string, number>,
  leaseTtlMs: number,
): Promise<string[]> {
  const rows = await sql.query<{ id: string }>(
    'renew_leases',
    `UPDATE ${sql.tables.instances} AS s
       SET lease_expires_at = now() + $4 * interval '1 millisecond'
     FROM unnest($2::text[], $3::bigint[]) AS u(id, token)
     WHERE s.id = u.id AND s.fencing_token = u.token AND s.lease_owner = $1
     RETURNING s.id`,
    [owner, [...leases.keys()], [...leases.values()], leaseTtlMs],
  );
  return rows.map((r) => r.id);
}
