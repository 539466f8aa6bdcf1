import type { StoredSnapshot } from '../snapshot-store';
import type { PostgresConnection } from './postgres-connection';
import type { PostgresTables } from './postgres-tables';

/** The newest snapshot per stream and aggregate type, one row each. */
export class PostgresSnapshotStore {
  constructor(
    private readonly connection: PostgresConnection,
    private readonly tables: PostgresTables,
  ) {}

  async saveSnapshot(snapshot: StoredSnapshot): Promise<void> {
    const t = this.tables;
    await this.connection.query('saving a snapshot', {
      name: `cello_save_snapshot_${t.key}`,
      text:
        `INSERT INTO ${t.snapshots} AS s (stream_id, aggregate_type, version, schema_version, state, created_at) ` +
        'VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (stream_id, aggregate_type) DO UPDATE SET ' +
        'version = EXCLUDED.version, schema_version = EXCLUDED.schema_version, state = EXCLUDED.state, ' +
        'created_at = EXCLUDED.created_at ' +
        // A late writer of an older snapshot does not replace a newer one of the same schema.
        'WHERE s.version <= EXCLUDED.version OR s.schema_version <> EXCLUDED.schema_version',
      values: [
        snapshot.streamId,
        snapshot.aggregateType,
        snapshot.version,
        snapshot.schemaVersion,
        snapshot.state,
        snapshot.createdAt,
      ],
    });
  }

  async loadSnapshot(streamId: string, aggregateType: string): Promise<StoredSnapshot | undefined> {
    const result = await this.connection.query<{
      version: string;
      schema_version: number;
      state: Buffer;
      created_at: Date;
    }>('loading a snapshot', {
      name: `cello_load_snapshot_${this.tables.key}`,
      text:
        `SELECT version, schema_version, state, created_at FROM ${this.tables.snapshots} ` +
        'WHERE stream_id = $1 AND aggregate_type = $2',
      values: [streamId, aggregateType],
    });
    const row = result.rows[0];
    if (!row) return undefined;
    return {
      streamId,
      aggregateType,
      version: Number(row.version),
      schemaVersion: row.schema_version,
      state: row.state,
      createdAt: row.created_at,
    };
  }
}
