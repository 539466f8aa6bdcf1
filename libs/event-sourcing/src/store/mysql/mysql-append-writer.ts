import type { ResultSetHeader, RowDataPacket } from 'mysql2';
import type { PoolConnection as CallbackConnection } from 'mysql2';
import type { Connection } from 'mysql2/promise';
import type { EntityManager } from 'typeorm';
import { isMysqlInvalidInput } from '@cello/core/internal';
import { ConcurrencyError } from '../../errors/concurrency.error';
import { EventIdConflictError } from '../../errors/event-id-conflict.error';
import { InvalidAppendError } from '../../errors/invalid-append.error';
import type { AppendResult, EventToAppend } from '../event-log';
import type { QueuedAppend } from '../sql/append-coalescer';
import type { AppendOutcome, SqlAppendWriter } from '../sql/sql-event-storage-parts';
import type { MysqlConnection } from './mysql-connection';
import { isMysqlUnavailable } from './mysql-error-mapper';
import { normalizeId } from './mysql-event-rows';
import { binaryText, placeholders } from './mysql-sql';
import type { MysqlTables } from './mysql-tables';

/** Longest event type name a VARCHAR(255) column holds. */
const MAX_TYPE_LENGTH = 255;
/** Bytes of payload per INSERT statement, well under MySQL's default 16 MiB packet limit. */
const INSERT_CHUNK_BYTES = 4 * 1024 * 1024;

type AppendRequest = Pick<QueuedAppend, 'streamId' | 'events' | 'expected'>;

/** An event the transaction accepted, with its stream version. */
interface AcceptedEvent {
  readonly append: number;
  readonly streamId: string;
  readonly version: number;
  readonly event: EventToAppend;
}

/** Appends a coalesced batch in one transaction, positions taken under the log head's row lock. */
export class MysqlAppendWriter implements SqlAppendWriter {
  readonly engine = 'MySQL';

  constructor(
    private readonly connection: MysqlConnection,
    private readonly tables: MysqlTables,
  ) {}

  check(streamId: string, events: readonly EventToAppend[]): void {
    events.forEach((event, index) => {
      if (event.type.length > MAX_TYPE_LENGTH) {
        throw new InvalidAppendError(
          streamId,
          `event #${index + 1} has a type name longer than ${MAX_TYPE_LENGTH} characters`,
        );
      }
    });
  }

  write(batch: readonly QueuedAppend[]): Promise<AppendOutcome[]> {
    return this.connection.transaction((c) => this.appendInTransaction(c, batch));
  }

  async writeInTransaction(manager: EntityManager, append: AppendRequest): Promise<AppendOutcome> {
    // TypeORM's mysql2 connection (callback API) of the open transaction, seen through its promise API.
    const raw = (await manager.queryRunner!.connect()) as CallbackConnection;
    return (await this.appendInTransaction(raw.promise(), [append]))[0];
  }

  isUnavailable(error: unknown): boolean {
    return isMysqlUnavailable(error);
  }

  isEventIdConflict(error: unknown): boolean {
    const { errno, message } = error as { errno?: number; message?: string };
    return errno === 1062 && message?.includes('events_event_id_key') === true;
  }

  /**
   * Invalid JSON (MariaDB's JSON_VALID check 4025, MySQL 3140), text the
   * column cannot hold (1366), values too long or out of range (1406, 1264),
   * any SQLSTATE 22/23.
   */
  isInvalidInput(error: unknown): boolean {
    return isMysqlInvalidInput(error);
  }

  /**
   * The append transaction. Stream rows are locked first (created when
   * missing, in one sorted order so concurrent batches do not deadlock), then
   * each append is decided against the locked versions and the stored event
   * ids; only then is the log head row locked to take positions, so the
   * store-wide serialization point is held for two statements and the commit.
   */
  private async appendInTransaction(
    connection: Connection,
    batch: readonly AppendRequest[],
  ): Promise<AppendOutcome[]> {
    const t = this.tables;
    const streams = [...new Set(batch.map((append) => append.streamId))].sort();
    await connection.query(
      `INSERT INTO ${t.streams} (stream_id, version) VALUES ${streams.map(() => '(?, 0)').join(', ')} ` +
        'ON DUPLICATE KEY UPDATE version = version',
      streams,
    );
    const ids = batch.flatMap((append) => append.events.map((event) => normalizeId(event.eventId)));
    const [rows] = await connection.query<RowDataPacket[]>(
      `SELECT 0 AS kind, stream_id, version, NULL AS event_id, NULL AS position FROM ${t.streams} ` +
        `WHERE stream_id IN (${placeholders(streams.length)}) UNION ALL ` +
        `SELECT 1, stream_id, version, event_id, position FROM ${t.events} ` +
        `WHERE event_id IN (${placeholders(ids.length)})`,
      [...streams, ...ids],
    );
    const versions = new Map<string, number>();
    const known = new Map<string, { streamId: string; version: number; position: number }>();
    for (const row of rows) {
      const streamId = binaryText(row.stream_id as Buffer);
      if (Number(row.kind) === 0) versions.set(streamId, Number(row.version));
      else {
        known.set(row.event_id as string, {
          streamId,
          version: Number(row.version),
          position: Number(row.position),
        });
      }
    }

    const outcomes: AppendOutcome[] = [];
    const accepted: AcceptedEvent[] = [];
    batch.forEach((append, index) => {
      const current = versions.get(append.streamId) ?? 0;
      const found = append.events.map((event) => known.get(normalizeId(event.eventId)));
      if (found.some((hit) => hit !== undefined)) {
        const whole = found.every((hit) => hit !== undefined && hit.streamId === append.streamId);
        outcomes.push(
          whole
            ? {
                streamVersion: Math.max(...found.map((hit) => hit!.version)),
                positions: found.map((hit) => hit!.position),
                duplicate: true,
              }
            : new EventIdConflictError(append.streamId, []),
        );
        return;
      }
      const expected = append.expected;
      const ok =
        expected === 'any' ||
        (expected === 'no_stream' && current === 0) ||
        (expected === 'stream_exists' && current > 0) ||
        expected === current;
      if (!ok) {
        outcomes.push(new ConcurrencyError(append.streamId, expected, current));
        return;
      }
      append.events.forEach((event, k) => {
        accepted.push({
          append: index,
          streamId: append.streamId,
          version: current + k + 1,
          event,
        });
      });
      versions.set(append.streamId, current + append.events.length);
      outcomes.push({
        streamVersion: current + append.events.length,
        positions: [],
        duplicate: false,
      });
    });
    if (accepted.length === 0) return outcomes;

    const changed = [...new Set(accepted.map((row) => row.streamId))];
    await connection.query(
      `UPDATE ${t.streams} SET version = CASE stream_id ${changed.map(() => 'WHEN ? THEN ?').join(' ')} END ` +
        `WHERE stream_id IN (${placeholders(changed.length)})`,
      [...changed.flatMap((id) => [id, versions.get(id)]), ...changed],
    );
    // The log head: locking it orders the batches, so positions commit in
    // increasing order; LAST_INSERT_ID(expr) returns the new head in the reply.
    const [head] = await connection.query<ResultSetHeader>(
      `UPDATE ${t.logHead} SET position = LAST_INSERT_ID(position + ?) WHERE id = 1`,
      [accepted.length],
    );
    const first = Number(head.insertId) - accepted.length + 1;
    await this.insertEvents(connection, accepted, first);
    accepted.forEach((row, offset) => {
      ((outcomes[row.append] as AppendResult).positions as number[]).push(first + offset);
    });
    return outcomes;
  }

  /** Multi-row INSERTs, split so that no statement outgrows the server's packet limit. */
  private async insertEvents(
    connection: Connection,
    rows: readonly AcceptedEvent[],
    firstPosition: number,
  ): Promise<void> {
    let start = 0;
    while (start < rows.length) {
      let end = start;
      let bytes = 0;
      while (end < rows.length && (end === start || bytes < INSERT_CHUNK_BYTES)) {
        bytes += rows[end].event.data.length + rows[end].event.metadata.length;
        end += 1;
      }
      const chunk = rows.slice(start, end);
      await connection.query(
        `INSERT INTO ${this.tables.events} ` +
          '(position, stream_id, version, event_id, type, schema_version, data, metadata) VALUES ' +
          chunk.map(() => '(?, ?, ?, ?, ?, ?, ?, ?)').join(', '),
        chunk.flatMap((row, i) => [
          firstPosition + start + i,
          row.streamId,
          row.version,
          normalizeId(row.event.eventId),
          row.event.type,
          row.event.schemaVersion,
          row.event.data,
          row.event.metadata,
        ]),
      );
      start = end;
    }
  }
}
