import type { RowDataPacket } from 'mysql2';
import type { StoredEvent } from '../event-log';
import type { ParkedEvent } from '../processor-store';
import type { MysqlConnection } from './mysql-connection';
import { binaryText, fromUtcText, utcText } from './mysql-sql';
import type { MysqlTables } from './mysql-tables';

/** Events processors gave up on, one row per processor and position. */
export class MysqlParkedEvents {
  constructor(
    private readonly connection: MysqlConnection,
    private readonly tables: MysqlTables,
  ) {}

  async parkEvent(processor: string, event: StoredEvent, error: string, attempts: number) {
    await this.connection.query(
      'parking an event',
      `INSERT INTO ${this.tables.parked} (processor, position, event_id, stream_id, type, error, attempts) ` +
        'VALUES (?, ?, ?, ?, ?, ?, ?) ON DUPLICATE KEY UPDATE ' +
        'error = VALUES(error), attempts = VALUES(attempts), parked_at = UTC_TIMESTAMP(3)',
      [processor, event.position, event.eventId, event.streamId, event.type, error, attempts],
    );
  }

  async listParked(processor?: string): Promise<ParkedEvent[]> {
    const rows = await this.connection.query<RowDataPacket[]>(
      'listing parked events',
      'SELECT id, processor, position, event_id, stream_id, type, error, attempts, ' +
        `${utcText('parked_at')} AS parked_at FROM ${this.tables.parked} ` +
        `${processor === undefined ? '' : 'WHERE processor = ? '}ORDER BY id`,
      processor === undefined ? [] : [processor],
    );
    return rows.map((row) => ({
      id: Number(row.id),
      processor: row.processor as string,
      position: Number(row.position),
      eventId: row.event_id as string,
      streamId: binaryText(row.stream_id as Buffer),
      type: row.type as string,
      error: row.error as string,
      attempts: Number(row.attempts),
      parkedAt: fromUtcText(row.parked_at as string),
    }));
  }

  async removeParked(id: number): Promise<void> {
    await this.connection.query(
      'removing a parked event',
      `DELETE FROM ${this.tables.parked} WHERE id = ?`,
      [id],
    );
  }
}
