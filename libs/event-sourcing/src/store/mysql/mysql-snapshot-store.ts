import type { RowDataPacket } from 'mysql2';
import type { StoredSnapshot } from '../snapshot-store';
import type { MysqlConnection } from './mysql-connection';
import { fromUtcText, toUtcDatetime, utcText } from './mysql-sql';
import type { MysqlTables } from './mysql-tables';

/** The newest snapshot per stream and aggregate type, one row each. */
export class MysqlSnapshotStore {
  constructor(
    private readonly connection: MysqlConnection,
    private readonly tables: MysqlTables,
  ) {}

  async saveSnapshot(snapshot: StoredSnapshot): Promise<void> {
    // Assignments run left to right on the updated row: `version` and
    // `schema_version` come last, and the condition gives the same answer
    // before and after each of them. A late writer of an older snapshot of the
    // same schema replaces nothing.
    const replace = '(version <= VALUES(version) OR schema_version <> VALUES(schema_version))';
    await this.connection.query(
      'saving a snapshot',
      `INSERT INTO ${this.tables.snapshots} (stream_id, aggregate_type, version, schema_version, state, created_at) ` +
        'VALUES (?, ?, ?, ?, ?, ?) ON DUPLICATE KEY UPDATE ' +
        `state = IF(${replace}, VALUES(state), state), ` +
        `created_at = IF(${replace}, VALUES(created_at), created_at), ` +
        `version = IF(${replace}, VALUES(version), version), ` +
        `schema_version = IF(${replace}, VALUES(schema_version), schema_version)`,
      [
        snapshot.streamId,
        snapshot.aggregateType,
        snapshot.version,
        snapshot.schemaVersion,
        snapshot.state,
        toUtcDatetime(snapshot.createdAt),
      ],
    );
  }

  async loadSnapshot(streamId: string, aggregateType: string): Promise<StoredSnapshot | undefined> {
    const rows = await this.connection.query<RowDataPacket[]>(
      'loading a snapshot',
      `SELECT version, schema_version, state, ${utcText('created_at')} AS created_at ` +
        `FROM ${this.tables.snapshots} WHERE stream_id = ? AND aggregate_type = ?`,
      [streamId, aggregateType],
    );
    const row = rows[0];
    if (!row) return undefined;
    return {
      streamId,
      aggregateType,
      version: Number(row.version),
      schemaVersion: Number(row.schema_version),
      state: row.state as Buffer,
      createdAt: fromUtcText(row.created_at as string),
    };
  }
}
