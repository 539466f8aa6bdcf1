import type { QueryConfig } from 'pg';
import type { ExpectedVersion } from '../event-log';
import type { QueuedAppend } from '../sql/append-coalescer';
import { EXPECTED_ANY, EXPECTED_STREAM_EXISTS } from './migrations/append-events-function.sql';
import type { PostgresTables } from './postgres-tables';

export type AppendRequest = Pick<QueuedAppend, 'streamId' | 'events' | 'expected'>;

/** A row the happy-path `INSERT` returns. */
export interface InsertedRow {
  position: string;
  version: string;
  stream_id?: string;
}

/**
 * The happy path of an append as one plain, prepared `INSERT` (no function,
 * no stream row): it reads the stream's version (its highest event version,
 * one backward index probe), checks the expected version and inserts the
 * events at the next versions, all in one statement, so one round trip and one
 * commit. An append whose check fails inserts no row; a concurrent writer of
 * the same version blocks on the unique `(stream_id, version)` index until it
 * commits, then fails the statement with a unique violation (as does a
 * re-sent event id): the storage then decides precisely in the slow path.
 *
 * The subquery that reads the version also takes the transaction id
 * (`pg_current_xact_id()`), evaluated before any position is: the gap-free
 * global read relies on a writer having its id before it takes a position.
 */
export class PostgresAppendStatements {
  private readonly check = (version: string, expected: string): string =>
    `(${version} = ${expected} OR ${expected} = ${EXPECTED_ANY} ` +
    `OR (${expected} = ${EXPECTED_STREAM_EXISTS} AND ${version} > 0))`;

  private readonly columns =
    'stream_id, version, event_id, type, schema_version, data, metadata, transaction_id';

  /**
   * An exact expected version already refuses a re-send (the stream moved on);
   * 'any' and 'stream_exists' check the ids, so that a re-send inserts nothing
   * rather than fail on the unique id and leave a burnt position behind.
   */
  private readonly newIds = (ids: string): string =>
    ` AND NOT EXISTS (SELECT 1 FROM ${this.tables.events} d WHERE d.event_id = ${ids})`;

  constructor(private readonly tables: PostgresTables) {}

  /** One event: scalar parameters, the payloads as text (nothing to escape). */
  oneEvent(append: AppendRequest): QueryConfig {
    const t = this.tables;
    const event = append.events[0];
    const unknownIds = typeof append.expected === 'number';
    return {
      name: `cello_append_one_${unknownIds ? '' : 'any_'}${t.key}`,
      text:
        `INSERT INTO ${t.events} (${this.columns}) ` +
        'SELECT $1, c.v + 1, $3, $4, $5, $6::jsonb, $7::jsonb, c.x ' +
        `FROM (SELECT coalesce(max(version), 0) AS v, pg_current_xact_id() AS x ` +
        `FROM ${t.events} WHERE stream_id = $1) c ` +
        `WHERE ${this.check('c.v', '$2::bigint')}${unknownIds ? '' : this.newIds('$3::uuid')} ` +
        'RETURNING position, version',
      values: [
        append.streamId,
        encodeExpected(append.expected),
        event.eventId,
        event.type,
        event.schemaVersion,
        event.data,
        event.metadata,
      ],
    };
  }

  /** One append of many events: the payloads packed into one `bytea`, cut by byte offsets. */
  oneAppend(append: AppendRequest): QueryConfig {
    const t = this.tables;
    const packed = packEvents([append]);
    const unknownIds = typeof append.expected === 'number';
    return {
      name: `cello_append_many_${unknownIds ? '' : 'any_'}${t.key}`,
      text:
        `INSERT INTO ${t.events} (${this.columns}) ` +
        'SELECT $1, c.v + e.k, e.id, e.type, e.sv, ' +
        `${cut('$6::bytea', 'e.o', 'e.dl')}::jsonb, ${cut('$6::bytea', 'e.o + e.dl', 'e.ml')}::jsonb, c.x ` +
        `FROM (SELECT coalesce(max(version), 0) AS v, pg_current_xact_id() AS x ` +
        `FROM ${t.events} WHERE stream_id = $1) c, ` +
        'unnest($3::uuid[], $4::text[], $5::integer[], $7::integer[], $8::integer[], $9::integer[]) ' +
        'WITH ORDINALITY AS e(id, type, sv, o, dl, ml, k) ' +
        `WHERE ${this.check('c.v', '$2::bigint')}` +
        `${unknownIds ? '' : this.newIds('ANY ($3::uuid[])')} ORDER BY e.k RETURNING position, version`,
      values: [
        append.streamId,
        encodeExpected(append.expected),
        packed.ids,
        packed.types,
        packed.schemaVersions,
        packed.payloads,
        packed.offsets,
        packed.dataLengths,
        packed.metadataLengths,
      ],
    };
  }

  /**
   * Several appends, each to its own stream (coalesced). Every event row
   * carries its append's stream and expected version, and reads the stream's
   * version itself (one index probe; no join, whose generic plan re-scanned
   * the events per append): the events of one append read it in one snapshot,
   * so each append's check keeps or filters all of its rows — an append is
   * inserted whole or not at all, and its neighbours are not held back. The
   * rows name their stream.
   */
  manyAppends(batch: readonly AppendRequest[]): QueryConfig {
    const t = this.tables;
    const packed = packEvents(batch);
    const streams: string[] = [];
    const expected: number[] = [];
    for (const append of batch) {
      const encoded = encodeExpected(append.expected);
      for (let k = 0; k < append.events.length; k++) {
        streams.push(append.streamId);
        expected.push(encoded);
      }
    }
    return {
      name: `cello_append_batch_${t.key}`,
      text:
        `INSERT INTO ${t.events} (${this.columns}) ` +
        'SELECT e.s, c.v + e.k, e.id, e.type, e.sv, ' +
        `${cut('$6::bytea', 'e.o', 'e.dl')}::jsonb, ${cut('$6::bytea', 'e.o + e.dl', 'e.ml')}::jsonb, c.x ` +
        'FROM unnest($1::text[], $2::bigint[], $3::uuid[], $4::text[], $5::integer[], $7::integer[], ' +
        '$8::integer[], $9::integer[], $10::integer[]) WITH ORDINALITY AS e(s, ex, id, type, sv, o, dl, ml, k, i) ' +
        `CROSS JOIN LATERAL (SELECT coalesce(max(v.version), 0) AS v, pg_current_xact_id() AS x ` +
        `FROM ${t.events} v WHERE v.stream_id = e.s) c ` +
        `WHERE ${this.check('c.v', 'e.ex')} ` +
        'ORDER BY e.i RETURNING position, version, stream_id',
      values: [
        streams,
        expected,
        packed.ids,
        packed.types,
        packed.schemaVersions,
        packed.payloads,
        packed.offsets,
        packed.dataLengths,
        packed.metadataLengths,
        packed.eventIndexes,
      ],
    };
  }

  /** The slow path: the packed append function decides each append precisely, in order. */
  decide(batch: readonly AppendRequest[]): QueryConfig {
    return this.decideStatement(batch, `cello_append_packed_${this.tables.key}`, '');
  }

  /**
   * One append inside the caller's transaction: first a transaction-level
   * advisory lock on the stream, held until that transaction ends, so that a
   * concurrent transaction appending to the same stream waits before it takes
   * a position (no position of another open transaction between this one's).
   */
  decideLocked(append: AppendRequest): QueryConfig {
    return this.decideStatement(
      [append],
      `cello_append_locked_${this.tables.key}`,
      `pg_advisory_xact_lock(${this.lockSpace}, hashtext(($1::text[])[1])), LATERAL `,
    );
  }

  /** A key space for the advisory locks of this store's streams. */
  private get lockSpace(): number {
    return parseInt(this.tables.key.slice(0, 7), 16);
  }

  private decideStatement(
    batch: readonly AppendRequest[],
    name: string,
    lock: string,
  ): QueryConfig {
    const packed = packEvents(batch);
    return {
      name,
      text:
        `SELECT d.* FROM ${lock}${this.tables.packedAppendFunction}` +
        '($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) d',
      values: [
        batch.map((append) => append.streamId),
        batch.map((append) => encodeExpected(append.expected)),
        batch.map((append) => append.events.length),
        packed.ids,
        packed.types,
        packed.schemaVersions,
        packed.payloads,
        packed.offsets,
        packed.dataLengths,
        packed.metadataLengths,
        packed.appendIndexes,
        packed.eventIndexes,
      ],
    };
  }
}

/** `substring` of the packed payloads, as text. */
function cut(payloads: string, from: string, length: string): string {
  return `convert_from(substring(${payloads} FROM ${from} FOR ${length}), 'UTF8')`;
}

interface PackedEvents {
  ids: string[];
  types: string[];
  schemaVersions: number[];
  /** Data then metadata of each event, as UTF-8 bytes, one after the other. */
  payloads: Buffer;
  /** 1-based byte offsets of each event's data. */
  offsets: number[];
  dataLengths: number[];
  metadataLengths: number[];
  /** Per event, its append's index in the batch (1-based). */
  appendIndexes: number[];
  /** Per event, its index inside its append (1-based). */
  eventIndexes: number[];
}

/**
 * Payloads packed into one `bytea` rather than `text[]` parameters, which
 * node-postgres escapes (every quote of every JSON payload) and the server
 * unescapes. Each payload is still cast to jsonb on its own, so a malformed
 * one fails its own cast and can never shift its neighbours.
 */
function packEvents(batch: readonly AppendRequest[]): PackedEvents {
  const packed: PackedEvents = {
    ids: [],
    types: [],
    schemaVersions: [],
    payloads: Buffer.alloc(0),
    offsets: [],
    dataLengths: [],
    metadataLengths: [],
    appendIndexes: [],
    eventIndexes: [],
  };
  const payloads: string[] = [];
  let offset = 1;
  for (const [slot, append] of batch.entries()) {
    for (const [index, event] of append.events.entries()) {
      packed.appendIndexes.push(slot + 1);
      packed.eventIndexes.push(index + 1);
      packed.ids.push(event.eventId);
      packed.types.push(event.type);
      packed.schemaVersions.push(event.schemaVersion);
      const dataLength = Buffer.byteLength(event.data);
      const metadataLength = Buffer.byteLength(event.metadata);
      payloads.push(event.data, event.metadata);
      packed.offsets.push(offset);
      packed.dataLengths.push(dataLength);
      packed.metadataLengths.push(metadataLength);
      offset += dataLength + metadataLength;
    }
  }
  packed.payloads = Buffer.from(payloads.join(''));
  return packed;
}

export function encodeExpected(expected: ExpectedVersion): number {
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
