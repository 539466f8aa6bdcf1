import { isPostgresInvalidInput } from '@cello/core/internal';
import { ConcurrencyError } from '../../errors/concurrency.error';
import { EventIdConflictError } from '../../errors/event-id-conflict.error';
import type { PoolClient, QueryConfig } from 'pg';
import type { EntityManager } from 'typeorm';
import type { ExpectedVersion } from '../event-log';
import type { QueuedAppend } from '../sql/append-coalescer';
import type { AppendOutcome, SqlAppendWriter } from '../sql/sql-event-storage-parts';
import {
  APPEND_OUTCOME,
  EXPECTED_ANY,
  EXPECTED_STREAM_EXISTS,
} from './migrations/append-events-function.sql';
import type { PostgresConnection } from './postgres-connection';
import { isUnavailable } from './postgres-error-mapper';
import type { PostgresTables } from './postgres-tables';

type AppendRequest = Pick<QueuedAppend, 'streamId' | 'events' | 'expected'>;

interface AppendRow {
  outcomes: number[];
  stream_versions: string[];
  positions: string[];
  duplicate_positions: string[];
}

/**
 * Appends a coalesced batch with one call of the packed append function: one
 * round trip and one commit, whatever the number of appends and events. The
 * payloads travel as one byte string cut by offsets, not one parameter each.
 */
export class PostgresAppendWriter implements SqlAppendWriter {
  readonly engine = 'PostgreSQL';

  constructor(
    private readonly connection: PostgresConnection,
    private readonly tables: PostgresTables,
  ) {}

  async write(batch: readonly QueuedAppend[]): Promise<AppendOutcome[]> {
    const result = await this.connection.rawQuery<AppendRow>(this.appendStatement(batch));
    return decodeOutcomes(batch, result.rows[0]);
  }

  async writeInTransaction(manager: EntityManager, append: AppendRequest): Promise<AppendOutcome> {
    // The query runner's pg client: the same statement, on the transaction's connection.
    const client = (await manager.queryRunner!.connect()) as PoolClient;
    const result = await client.query<AppendRow>(this.appendStatement([append]));
    return decodeOutcomes([append], result.rows[0])[0];
  }

  isUnavailable(error: unknown): boolean {
    return isUnavailable(error);
  }

  isEventIdConflict(error: unknown): boolean {
    const { code, constraint } = error as { code?: string; constraint?: string };
    return code === '23505' && constraint?.endsWith('events_event_id_key') === true;
  }

  /** Invalid JSON or text (22P02, 22P05, 22021...), out of range, class 23, keys too long (54000). */
  isInvalidInput(error: unknown): boolean {
    return isPostgresInvalidInput(error) || (error as { code?: string }).code === '54000';
  }

  private appendStatement(batch: readonly AppendRequest[]): QueryConfig {
    const streams: string[] = [];
    const expected: number[] = [];
    const counts: number[] = [];
    const ids: string[] = [];
    const types: string[] = [];
    const schemaVersions: number[] = [];
    // Payloads packed: data then metadata of each event, as UTF-8 bytes, cut by byte offsets (1-based).
    const payloads: string[] = [];
    const offsets: number[] = [];
    const dataLengths: number[] = [];
    const metadataLengths: number[] = [];
    const eventAppends: number[] = [];
    const eventIndexes: number[] = [];
    let offset = 1;
    for (const [slot, append] of batch.entries()) {
      streams.push(append.streamId);
      expected.push(encodeExpected(append.expected));
      counts.push(append.events.length);
      for (const [index, event] of append.events.entries()) {
        eventAppends.push(slot + 1);
        eventIndexes.push(index + 1);
        ids.push(event.eventId);
        types.push(event.type);
        schemaVersions.push(event.schemaVersion);
        const dataLength = Buffer.byteLength(event.data);
        const metadataLength = Buffer.byteLength(event.metadata);
        payloads.push(event.data, event.metadata);
        offsets.push(offset);
        dataLengths.push(dataLength);
        metadataLengths.push(metadataLength);
        offset += dataLength + metadataLength;
      }
    }
    return {
      name: `cello_append_packed_${this.tables.key}`,
      text:
        `SELECT * FROM ${this.tables.packedAppendFunction}` +
        '($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)',
      values: [
        streams,
        expected,
        counts,
        ids,
        types,
        schemaVersions,
        Buffer.from(payloads.join('')),
        offsets,
        dataLengths,
        metadataLengths,
        eventAppends,
        eventIndexes,
      ],
    };
  }
}

/** Each append's outcome from the function's row: positions are cut from one array per kind. */
function decodeOutcomes(batch: readonly AppendRequest[], row: AppendRow): AppendOutcome[] {
  const outcomes = new Array<AppendOutcome>(batch.length);
  let inserted = 0;
  let duplicates = 0;
  for (let index = 0; index < batch.length; index++) {
    const append = batch[index];
    const count = append.events.length;
    const streamVersion = Number(row.stream_versions[index]);
    switch (row.outcomes[index]) {
      case APPEND_OUTCOME.appended:
        outcomes[index] = {
          streamVersion,
          positions: row.positions.slice(inserted, inserted + count).map(Number),
          duplicate: false,
        };
        inserted += count;
        break;
      case APPEND_OUTCOME.duplicate:
        outcomes[index] = {
          streamVersion,
          positions: row.duplicate_positions.slice(duplicates, duplicates + count).map(Number),
          duplicate: true,
        };
        duplicates += count;
        break;
      case APPEND_OUTCOME.conflict:
        outcomes[index] = new ConcurrencyError(append.streamId, append.expected, streamVersion);
        break;
      default:
        outcomes[index] = new EventIdConflictError(append.streamId, []);
    }
  }
  return outcomes;
}

function encodeExpected(expected: ExpectedVersion): number {
  switch (expected) {
    case 'any':
      return EXPECTED_ANY;
    case 'no_stream':
      return 0;
    case 'stream_exists':
      return EXPECTED_STREAM_EXISTS;
    default:
      return expected;
  }
}
