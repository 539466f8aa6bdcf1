import type { RowDataPacket } from 'mysql2';
import { DATE_PATHS_METADATA_KEY } from '../../serialization/date-paths';
import type { ReplayedEvent, ReplayStreamOptions } from '../event-log';
import { readOption } from '../read-option';
import type { MysqlConnection } from './mysql-connection';
import { parseJsonColumn } from './mysql-sql';
import type { MysqlTables } from './mysql-tables';

interface ReplayRow extends RowDataPacket {
  position: string | number;
  version: string | number;
  event_id: string;
  type: string;
  schema_version: number;
  data: unknown;
  date_paths: unknown;
}

/** Events per `replayStream` query when the caller gives no page size. */
const DEFAULT_REPLAY_PAGE_SIZE = 1000;

/**
 * `EventStore.load`'s read: pages of `pageSize` (default 1000) with only what
 * a replay needs: no `recorded_at`, the metadata reduced to its date paths
 * by the server.
 */
export class MysqlStreamReplayer {
  constructor(
    private readonly connection: MysqlConnection,
    private readonly tables: MysqlTables,
  ) {}

  async replayStream(
    streamId: string,
    options: ReplayStreamOptions,
    onEvent: (event: ReplayedEvent) => void,
  ): Promise<void> {
    const pageSize = readOption('pageSize', options.pageSize, DEFAULT_REPLAY_PAGE_SIZE, 1);
    for (let from = readOption('fromVersion', options.fromVersion, 1); ;) {
      const rows = await this.connection.query<ReplayRow[]>(
        `replaying stream "${streamId}"`,
        'SELECT position, version, event_id, type, schema_version, data, ' +
          `JSON_EXTRACT(metadata, '$."${DATE_PATHS_METADATA_KEY}"') AS date_paths ` +
          `FROM ${this.tables.events} WHERE stream_id = ? AND version >= ? ORDER BY version LIMIT ?`,
        [streamId, from, pageSize],
      );
      for (const row of rows) {
        onEvent({
          position: Number(row.position),
          version: Number(row.version),
          eventId: row.event_id,
          type: row.type,
          schemaVersion: Number(row.schema_version),
          data: parseJsonColumn(row.data),
          datePaths: parseJsonColumn(row.date_paths),
        });
      }
      if (rows.length < pageSize) return;
      from = Number(rows[rows.length - 1].version) + 1;
    }
  }
}
