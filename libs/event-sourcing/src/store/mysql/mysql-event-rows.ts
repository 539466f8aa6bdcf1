import type { RowDataPacket } from 'mysql2';
import type { StoredEvent } from '../event-log';
import { readOption } from '../read-option';
import { binaryText, fromUtcText, parseJsonColumn, utcText } from './mysql-sql';

/** An `events` row as mysql2 returns it. */
export interface MysqlEventRow extends RowDataPacket {
  position: string | number;
  stream_id: Buffer | string;
  version: string | number;
  event_id: string;
  type: string;
  schema_version: number;
  data: unknown;
  metadata: unknown;
  recorded_at: string;
}

/** The columns of a `MysqlEventRow`, in a SELECT list. */
export const MYSQL_EVENT_COLUMNS =
  'position, stream_id, version, event_id, type, schema_version, data, metadata, ' +
  `${utcText('recorded_at')} AS recorded_at`;

export function toStoredEvent(row: MysqlEventRow): StoredEvent {
  return {
    position: Number(row.position),
    streamId: binaryText(row.stream_id),
    version: Number(row.version),
    eventId: row.event_id,
    type: row.type,
    schemaVersion: Number(row.schema_version),
    data: parseJsonColumn(row.data),
    metadata: (parseJsonColumn(row.metadata) as Record<string, unknown> | null) ?? {},
    recordedAt: fromUtcText(row.recorded_at),
  };
}

/** Event ids are stored lower-case, so a re-send in another case is still recognised. */
export function normalizeId(eventId: string): string {
  return eventId.toLowerCase();
}

/** The value of a trailing `LIMIT ?`, or none when there is no limit. */
export function limitValue(limit: number | undefined): number[] {
  return limit === undefined ? [] : [readOption('limit', limit, 0)];
}
