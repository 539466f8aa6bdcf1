import type { StoredEvent } from '../event-log';
import type { ParkedEvent } from '../processor-store';
import type { PostgresConnection } from './postgres-connection';
import type { PostgresTables } from './postgres-tables';

interface ParkedRow {
  id: string;
  processor: string;
  position: string;
  event_id: string;
  stream_id: string;
  type: string;
  error: string;
  attempts: number;
  parked_at: Date;
}

/** Events processors gave up on, one row per processor and position. */
export class PostgresParkedEvents {
  constructor(
    private readonly connection: PostgresConnection,
    private readonly tables: PostgresTables,
  ) {}

  async parkEvent(processor: string, event: StoredEvent, error: string, attempts: number) {
    await this.connection.query('parking an event', {
      name: `cello_park_event_${this.tables.key}`,
      text:
        `INSERT INTO ${this.tables.parked} AS p (processor, position, event_id, stream_id, type, error, attempts) ` +
        'VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (processor, position) DO UPDATE SET ' +
        'error = EXCLUDED.error, attempts = EXCLUDED.attempts, parked_at = now()',
      values: [
        processor,
        event.position,
        event.eventId,
        event.streamId,
        event.type,
        error,
        attempts,
      ],
    });
  }

  async listParked(processor?: string): Promise<ParkedEvent[]> {
    const result = await this.connection.query<ParkedRow>('listing parked events', {
      name: `cello_list_parked_${this.tables.key}`,
      text:
        'SELECT id, processor, position, event_id, stream_id, type, error, attempts, parked_at ' +
        `FROM ${this.tables.parked} WHERE $1::text IS NULL OR processor = $1 ORDER BY id`,
      values: [processor ?? null],
    });
    return result.rows.map((row) => ({
      id: Number(row.id),
      processor: row.processor,
      position: Number(row.position),
      eventId: row.event_id,
      streamId: row.stream_id,
      type: row.type,
      error: row.error,
      attempts: row.attempts,
      parkedAt: row.parked_at,
    }));
  }

  async removeParked(id: number): Promise<void> {
    await this.connection.query('removing a parked event', {
      name: `cello_remove_parked_${this.tables.key}`,
      text: `DELETE FROM ${this.tables.parked} WHERE id = $1`,
      values: [id],
    });
  }
}
