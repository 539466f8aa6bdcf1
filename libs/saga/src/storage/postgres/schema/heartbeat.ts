import type { SagaHeartbeat } from '../../saga-storage';
import type { PostgresSagaSql } from './postgres-saga-sql';

/**
 * One statement: insert our row, or extend it unless it lapsed (a process
 * declared gone stays gone); then the others of our instanceId still live.
 * Rows lapsed for a day are swept: no lease can still name them.
 */
export async function heartbeat(
  sql: PostgresSagaSql,
  instanceId: string,
  incarnation: string,
  ttlMs: number,
): Promise<SagaHeartbeat> {
  const { incarnations } = sql.tables;
  const rows = await sql.query<{ incarnation: string; beats: string; own: boolean }>(
    'heartbeat',
    `WITH beat AS (
       INSERT INTO ${incarnations} AS i (incarnation, instance_id, expires_at)
       VALUES ($1, $2, now() + $3 * interval '1 millisecond')
       ON CONFLICT (incarnation) DO UPDATE
         SET beats = i.beats + 1, expires_at = EXCLUDED.expires_at
         WHERE i.expires_at >= now()
       RETURNING incarnation),
     swept AS (
       DELETE FROM ${incarnations} WHERE expires_at < now() - interval '1 day')
     SELECT incarnation, beats, false AS own FROM ${incarnations}
     WHERE instance_id = $2 AND incarnation <> $1 AND expires_at >= now()
     UNION ALL SELECT incarnation, 0, true FROM beat`,
    [incarnation, instanceId, ttlMs],
  );
  return {
    expired: !rows.some((r) => r.own),
    others: rows
      .filter((r) => !r.own)
      .map((r) => ({ incarnation: r.incarnation, beats: Number(r.beats) })),
  };
}
