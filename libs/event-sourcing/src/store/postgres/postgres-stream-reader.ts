import type { ReadStreamOptions, StoredEvent } from '../event-log';
import { readOption } from '../read-option';
import type { PostgresConnection } from './postgres-connection';
import {
  POSTGRES_EVENT_COLUMNS,
  toStoredEvent,
  type PostgresEventRow,
} from './postgres-event-rows';
import type { PostgresTables } from './postgres-tables';

/** A stream's version and its events, page by page. */
export class PostgresStreamReader {
  constructor(
    private readonly connection: PostgresConnection,
    private readonly tables: PostgresTables,
  ) {}

  async streamVersion(streamId: string): Promise<number> {
    const result = await this.connection.query<{ version: string }>('reading a stream version', {
      name: `cello_stream_version_${this.tables.key}`,
      // No stream row: the highest version of its events (one backward index probe).
      text: `SELECT coalesce(max(version), 0) AS version FROM ${this.tables.events} WHERE stream_id = $1`,
      values: [streamId],
    });
    return Number(result.rows[0].version);
  }

  async readStream(streamId: string, options: ReadStreamOptions = {}): Promise<StoredEvent[]> {
    const result = await this.connection.query<PostgresEventRow>(`reading stream "${streamId}"`, {
      name: `cello_read_stream_${this.tables.key}`,
      text:
        `SELECT ${POSTGRES_EVENT_COLUMNS} FROM ${this.tables.events} ` +
        'WHERE stream_id = $1 AND version >= $2 ORDER BY version LIMIT $3',
      values: [
        streamId,
        readOption('fromVersion', options.fromVersion, 1),
        options.limit === undefined ? null : readOption('limit', options.limit, 0),
      ],
    });
    return result.rows.map(toStoredEvent);
  }
}
