import type { Pool } from 'pg';

/** Names of the consumer's tables, quoted for SQL. */
export interface InboxTables {
  readonly inbox: string;
  readonly parked: string;
}

export function inboxTables(prefix: string): InboxTables {
  return { inbox: `"${prefix}inbox"`, parked: `"${prefix}inbox_parked"` };
}

/**
 * Creates the inbox (one row per handled message id: the key that makes a
 * redelivery a no-op) and the parked messages table, under an advisory lock so
 * that instances starting together do not race on the catalog.
 */
export async function createInboxTables(pool: Pool, tables: InboxTables): Promise<void> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [tables.inbox]);
    await client.query(`CREATE TABLE IF NOT EXISTS ${tables.inbox} (
      message_id text PRIMARY KEY,
      type text NOT NULL,
      subject text NOT NULL,
      stream_sequence bigint NOT NULL,
      handled_at timestamptz NOT NULL DEFAULT now()
    )`);
    await client.query(`CREATE TABLE IF NOT EXISTS ${tables.parked} (
      message_id text PRIMARY KEY,
      type text NOT NULL,
      subject text NOT NULL,
      stream_sequence bigint NOT NULL,
      headers jsonb NOT NULL,
      payload text NOT NULL,
      error text NOT NULL,
      attempts integer NOT NULL,
      parked_at timestamptz NOT NULL DEFAULT now()
    )`);
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}
