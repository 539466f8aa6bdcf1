import type { RowDataPacket } from 'mysql2';
import type { ReadAllOptions, ReadBackwardOptions, StoredEvent } from '../event-log';
import { checkReadBackwardOptions } from '../read-backward-options';
import { readOption } from '../read-option';
import type { MysqlConnection } from './mysql-connection';
import {
  limitValue,
  MYSQL_EVENT_COLUMNS,
  toStoredEvent,
  type MysqlEventRow,
} from './mysql-event-rows';
import type { MysqlTables } from './mysql-tables';

/**
 * The global log. Positions are taken under the log head's row lock and
 * commit in that order, so what a read sees is always a prefix of the log: no
 * lower position can appear later, and no gap needs waiting for.
 */
export class MysqlGlobalLogReader {
  constructor(
    private readonly connection: MysqlConnection,
    private readonly tables: MysqlTables,
  ) {}

  async readAll(options: ReadAllOptions = {}): Promise<StoredEvent[]> {
    const limit = options.limit === undefined ? '' : ' LIMIT ?';
    const rows = await this.connection.query<MysqlEventRow[]>(
      'reading the global log',
      `SELECT ${MYSQL_EVENT_COLUMNS} FROM ${this.tables.events} WHERE position >= ? ORDER BY position${limit}`,
      [readOption('fromPosition', options.fromPosition, 0), ...limitValue(options.limit)],
    );
    return rows.map(toStoredEvent);
  }

  /** The type filter is a `WHERE` clause: rows of other types are never sent. */
  async readBackward(options: ReadBackwardOptions): Promise<StoredEvent[]> {
    const { toPosition, fromPosition, types, correlationId, limit } =
      checkReadBackwardOptions(options);
    if (limit === 0 || toPosition < fromPosition || types?.length === 0) return [];
    const byType = types === undefined ? '' : ` AND type IN (${types.map(() => '?').join(', ')})`;
    // Compared as bytes: the connection's collation may ignore case. No index serves it (JSON_EXTRACT
    // of each row in the range); MariaDB has no ->> operator, so the function form.
    const byCorrelation =
      correlationId === undefined
        ? ''
        : " AND CAST(JSON_UNQUOTE(JSON_EXTRACT(metadata, '$.correlationId')) AS BINARY) = CAST(? AS BINARY)";
    const rows = await this.connection.query<MysqlEventRow[]>(
      'reading the global log backwards',
      `SELECT ${MYSQL_EVENT_COLUMNS} FROM ${this.tables.events} WHERE position <= ? AND position >= ?` +
        `${byType}${byCorrelation} ORDER BY position DESC LIMIT ?`,
      [
        toPosition,
        fromPosition,
        ...(types ?? []),
        ...(correlationId === undefined ? [] : [correlationId]),
        limit,
      ],
    );
    return rows.map(toStoredEvent);
  }

  async headPosition(): Promise<number> {
    const rows = await this.connection.query<RowDataPacket[]>(
      'reading the head position',
      `SELECT position FROM ${this.tables.logHead} WHERE id = 1`,
      [],
    );
    return rows.length === 0 ? 0 : Number(rows[0].position);
  }
}
