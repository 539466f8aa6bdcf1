import type { StoredEvent } from '../event-log';

/** An `events` row as node-postgres returns it (bigints as text). */
export interface PostgresEventRow {
  position: string;
  stream_id: string;
  version: string;
  event_id: string;
  type: string;
  schema_version: number;
  data: unknown;
  metadata: Record<string, unknown> | null;
  recorded_at: Date;
}

/** The columns of a `PostgresEventRow`, in a SELECT list. */
export const POSTGRES_EVENT_COLUMNS =
  'position, stream_id, version, event_id, type, schema_version, data, metadata, recorded_at';

export function toStoredEvent(row: PostgresEventRow): StoredEvent {
  return {
    position: Number(row.position),
    streamId: row.stream_id,
    version: Number(row.version),
    eventId: row.event_id,
    type: row.type,
    schemaVersion: row.schema_version,
    data: row.data,
    metadata: row.metadata ?? {},
    recordedAt: row.recorded_at,
  };
}
