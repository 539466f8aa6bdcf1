import type { RowDataPacket } from 'mysql2';
import type { ReadStreamOptions, StoredEvent } from '../event-log';
import { readOption } from '../read-option';
import type { MysqlConnection } from './mysql-connection';
import {
  limitValue,
  MYSQL_EVENT_COLUMNS,
  toStoredEvent,
  type MysqlEventRow,
} from './mysql-event-rows';
import type { MysqlTables } from './mysql-tables';

/** A stream's version and its events, page by page. */
export class MysqlStreamReader {
  constructor(
    private readonly connection: MysqlConnection,
    private readonly tables: MysqlTables,
  ) {}

  async streamVersion(streamId: string): Promise<number> {
    const rows = await this.connection.query<RowDataPacket[]>(
      'reading a stream version',
      `SELECT version FROM ${this.tables.streams} WHERE stream_id = ?`,
      [streamId],
    );
    return rows.length === 0 ? 0 : Number(rows[0].version);
  }

  async readStream(streamId: string, options: ReadStreamOptions = {}): Promise<StoredEvent[]> {
    const limit = options.limit === undefined ? '' : ' LIMIT ?';
    const rows = await this.connection.query<MysqlEventRow[]>(
      `reading stream "${streamId}"`,
      `SELECT ${MYSQL_EVENT_COLUMNS} FROM ${this.tables.events} ` +
        `WHERE stream_id = ? AND version >= ? ORDER BY version${limit}`,
      [streamId, readOption('fromVersion', options.fromVersion, 1), ...limitValue(options.limit)],
    );
    return rows.map(toStoredEvent);
  }
}
