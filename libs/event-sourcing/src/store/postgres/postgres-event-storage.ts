import type * as Pg from 'pg';
import type { ClientConfig, Pool, QueryConfig, QueryResultRow } from 'pg';
import type * as TypeOrm from 'typeorm';
import type { DataSource } from 'typeorm';
import { loadOptionalPeer } from '@cello/core/internal';
import { ConcurrencyError } from '../../errors/concurrency.error';
import { EventIdConflictError } from '../../errors/event-id-conflict.error';
import { EventStoreUnavailableError } from '../../errors/event-store-unavailable.error';
import { InvalidAppendError } from '../../errors/invalid-append.error';
import { InvalidStorageOptionError } from '../../errors/invalid-storage-option.error';
import type {
  AppendResult,
  EventStorage,
  EventToAppend,
  ExpectedVersion,
  ParkedEvent,
  ProcessorLease,
  ReadAllOptions,
  ReadBackwardOptions,
  ReadStreamOptions,
  ReplayedEvent,
  ReplayStreamOptions,
  StoredEvent,
  StoredSnapshot,
} from '../event-storage';
import { readOption } from '../read-option';
import { checkReadBackwardOptions } from '../read-backward-options';
import { DATE_PATHS_METADATA_KEY } from '../../serialization/date-paths';
import { AppendCoalescer, type AppendStats, type QueuedAppend } from './append-coalescer';
import { validateAppend } from './append-validation';
import { GapTracker } from './gap-tracker';
import {
  APPEND_OUTCOME,
  EXPECTED_ANY,
  EXPECTED_STREAM_EXISTS,
} from './migrations/append-events-function.sql';
import { migrateEventStore } from './migrations/event-store-migrator';
import { isUnavailable, mapStorageError } from './postgres-error-mapper';
import { isPostgresInvalidInput } from '@cello/core/internal';
import {
  resolvePostgresEventStorageOptions,
  type PostgresEventStorageOptions,
  type ResolvedPostgresEventStorageOptions,
} from './postgres-event-storage-options';
import { PostgresAppendNotifier } from './postgres-append-notifier';
import { PostgresNotificationListener } from './postgres-notification-listener';
import { PostgresTables } from './postgres-tables';

interface EventRow {
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

interface AppendRow {
  outcomes: number[];
  stream_versions: string[];
  positions: string[];
  duplicate_positions: string[];
}

interface LeaseRow {
  name: string;
  owner: string;
  fencing_token: string;
  /** NULL until the processor's first checkpoint (or a reset). */
  checkpoint: string | null;
  lease_expires_at: Date;
}

const EVENT_COLUMNS =
  'position, stream_id, version, event_id, type, schema_version, data, metadata, recorded_at';
/** Positions scanned per query when `headPosition` has to look for gaps. */
const HEAD_SCAN_PAGE = 10_000;

const FEATURE = 'PostgreSQL event storage';

function loadPostgresDriver(): typeof Pg {
  return loadOptionalPeer<typeof Pg>('pg', FEATURE, require);
}

/**
 * The PostgreSQL event storage: tables created by shipped TypeORM migrations,
 * appends coalesced into one statement (one round trip, one commit) for all
 * concurrent callers, a global log read that never skips an event, leases
 * with fencing tokens, and LISTEN/NOTIFY wake-ups.
 */
export class PostgresEventStorage implements EventStorage {
  /** Qualified names of this store's tables. */
  readonly tables: PostgresTables;
  private readonly options: ResolvedPostgresEventStorageOptions;
  private readonly coalescer: AppendCoalescer;
  private readonly gaps = new GapTracker();
  private readonly listeners = new Set<() => void>();
  private readonly notifier = new PostgresAppendNotifier(() => this.sendNotification());
  private notificationListener?: PostgresNotificationListener;
  private pool?: Pool;
  private initializing?: Promise<void>;
  private wakeScheduled = false;
  private closed = false;
  // Optional peers, loaded when a PostgreSQL storage is made (never on import).
  private readonly pg = loadPostgresDriver();

  private constructor(
    private readonly dataSource: DataSource,
    private readonly ownsDataSource: boolean,
    options: PostgresEventStorageOptions,
  ) {
    this.options = resolvePostgresEventStorageOptions(options);
    this.tables = new PostgresTables(this.options.schema, this.options.tablePrefix);
    this.coalescer = new AppendCoalescer(
      (batch) => this.sendAppendBatch(batch),
      Math.max(1, this.options.maxAppendBatchesInFlight),
      Math.max(1, this.options.maxEventsPerAppendBatch),
    );
  }

  /** A storage with its own TypeORM `DataSource` (and pg pool) for `url`. */
  static fromUrl(url: string, options: PostgresEventStorageOptions = {}): PostgresEventStorage {
    const resolved = resolvePostgresEventStorageOptions(options);
    loadPostgresDriver(); // first, so a missing pg is named rather than reported by TypeORM
    const { DataSource } = loadOptionalPeer<typeof TypeOrm>('typeorm', FEATURE, require);
    const dataSource = new DataSource({
      type: 'postgres',
      url,
      poolSize: resolved.poolSize,
      connectTimeoutMS: resolved.connectionTimeoutMs,
      applicationName: 'cello-event-store',
      synchronize: false,
      migrationsRun: false,
      entities: [],
      logging: false,
      extra: {
        statement_timeout: resolved.statementTimeoutMs,
        // Drop broken idle connections quickly so the pool heals after an outage.
        idleTimeoutMillis: 10_000,
        keepAlive: true,
      },
    });
    return new PostgresEventStorage(dataSource, true, options);
  }

  /**
   * A storage on an application's TypeORM `DataSource` for PostgreSQL, sharing
   * its pg pool (no second pool). The application keeps owning it: `close()`
   * does not destroy it.
   */
  static fromDataSource(
    dataSource: DataSource,
    options: PostgresEventStorageOptions = {},
  ): PostgresEventStorage {
    if (dataSource.options.type !== 'postgres') {
      throw new InvalidStorageOptionError(
        `the DataSource is of type "${dataSource.options.type}", not "postgres"`,
      );
    }
    return new PostgresEventStorage(dataSource, false, options);
  }

  /** How many appends were requested and how many statements carried them. */
  get appendStats(): AppendStats {
    return this.coalescer.stats;
  }

  init(): Promise<void> {
    if (this.pool) return Promise.resolve();
    this.initializing ??= this.connectAndMigrate().finally(() => {
      this.initializing = undefined;
    });
    return this.initializing;
  }

  private async connectAndMigrate(): Promise<void> {
    try {
      if (!this.dataSource.isInitialized) await this.dataSource.initialize();
      await migrateEventStore(this.dataSource, this.tables);
    } catch (error) {
      throw mapStorageError(error, 'connecting and migrating the event store');
    }
    const driver = this.dataSource.driver as unknown as { master?: Pool };
    if (!driver.master) {
      throw new EventStoreUnavailableError('the DataSource has no PostgreSQL pool');
    }
    this.pool = driver.master;
    if (this.listeners.size > 0) this.startNotificationListener();
  }

  append(
    streamId: string,
    events: readonly EventToAppend[],
    expected: ExpectedVersion,
  ): Promise<AppendResult> {
    if (this.closed) {
      return Promise.reject(new EventStoreUnavailableError('the storage is closed'));
    }
    try {
      validateAppend(streamId, events, expected);
    } catch (error) {
      return Promise.reject(error);
    }
    return new Promise<AppendResult>((resolve, reject) =>
      this.coalescer.enqueue({ streamId, events, expected, resolve, reject }),
    );
  }

  /** Sends one coalesced batch; settles each append with its own outcome. */
  private async sendAppendBatch(batch: QueuedAppend[]): Promise<void> {
    try {
      const row = await this.runAppendStatement(batch);
      this.settleAppends(batch, row);
    } catch (error) {
      if (batch.length === 1 || isUnavailable(error)) {
        for (const append of batch) append.reject(this.appendError(append, error));
        return;
      }
      // One malformed append failed the whole statement: retry each alone, so
      // only it fails and the others are stored.
      for (const append of batch) {
        try {
          this.settleAppends([append], await this.runAppendStatement([append]));
        } catch (single) {
          append.reject(this.appendError(append, single));
        }
      }
    }
  }

  private async runAppendStatement(batch: readonly QueuedAppend[]): Promise<AppendRow> {
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
    const result = await this.rawQuery<AppendRow>({
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
    });
    return result.rows[0];
  }

  private settleAppends(batch: readonly QueuedAppend[], row: AppendRow): void {
    let inserted = 0;
    let duplicates = 0;
    let appended = false;
    batch.forEach((append, index) => {
      const count = append.events.length;
      const streamVersion = Number(row.stream_versions[index]);
      switch (row.outcomes[index]) {
        case APPEND_OUTCOME.appended:
          appended = true;
          append.resolve({
            streamVersion,
            positions: row.positions.slice(inserted, inserted + count).map(Number),
            duplicate: false,
          });
          inserted += count;
          break;
        case APPEND_OUTCOME.duplicate:
          append.resolve({
            streamVersion,
            positions: row.duplicate_positions.slice(duplicates, duplicates + count).map(Number),
            duplicate: true,
          });
          duplicates += count;
          break;
        case APPEND_OUTCOME.conflict:
          append.reject(new ConcurrencyError(append.streamId, append.expected, streamVersion));
          break;
        default:
          append.reject(new EventIdConflictError(append.streamId, []));
      }
    });
    if (appended) {
      this.wakeListeners();
      this.notifier.notify();
    }
  }

  /** The typed error for an append whose statement failed. */
  private appendError(append: QueuedAppend, error: unknown): unknown {
    if (isUnavailable(error)) return mapStorageError(error, `append to "${append.streamId}"`);
    const { code, constraint, message } = error as {
      code?: string;
      constraint?: string;
      message?: string;
    };
    if (code === '23505' && constraint?.endsWith('events_event_id_key')) {
      return new EventIdConflictError(append.streamId, []);
    }
    // Invalid JSON or text (22P02, 22P05, 22021...), values out of range, any other
    // refused value (class 23), keys too long: the append's own fault, never retried.
    if (isPostgresInvalidInput(error) || code === '54000') {
      return new InvalidAppendError(append.streamId, message ?? 'rejected by PostgreSQL', {
        cause: error,
      });
    }
    return error;
  }

  async streamVersion(streamId: string): Promise<number> {
    const result = await this.query<{ version: string }>('reading a stream version', {
      name: `cello_stream_version_${this.tables.key}`,
      text: `SELECT version FROM ${this.tables.streams} WHERE stream_id = $1`,
      values: [streamId],
    });
    return result.rows.length === 0 ? 0 : Number(result.rows[0].version);
  }

  async readStream(streamId: string, options: ReadStreamOptions = {}): Promise<StoredEvent[]> {
    const result = await this.query<EventRow>(`reading stream "${streamId}"`, {
      name: `cello_read_stream_${this.tables.key}`,
      text:
        `SELECT ${EVENT_COLUMNS} FROM ${this.tables.events} ` +
        'WHERE stream_id = $1 AND version >= $2 ORDER BY version LIMIT $3',
      values: [
        streamId,
        readOption('fromVersion', options.fromVersion, 1),
        options.limit === undefined ? null : readOption('limit', options.limit, 0),
      ],
    });
    return result.rows.map(toStoredEvent);
  }

  /**
   * `EventStore.load`'s read: one query for the whole tail, each row handed to
   * `onEvent` as node-postgres parses it and none kept (no page round trips,
   * objects die young). No `recorded_at` Date and no metadata object; numbers
   * come as float8, so each row is the `ReplayedEvent` as it is.
   */
  async replayStream(
    streamId: string,
    options: ReplayStreamOptions,
    onEvent: (event: ReplayedEvent) => void,
  ): Promise<void> {
    const during = `replaying stream "${streamId}"`;
    const pool = this.pool;
    if (!pool) {
      throw new EventStoreUnavailableError(
        this.closed ? 'the storage is closed' : 'not connected yet (init() has not succeeded)',
      );
    }
    const client = await pool.connect().catch((error: unknown) => {
      throw mapStorageError(error, during);
    });
    let handlerFailure: { error: unknown } | undefined;
    // Set when the connection must be dropped rather than reused.
    let discard: Error | undefined;
    // A checked-out client has no listener of the pool's: an error arriving between the
    // query's end and the release (e.g. the server shutting down) would crash the process.
    const onClientError = (error: Error) => {
      discard ??= error;
    };
    client.on('error', onClientError);
    try {
      await new Promise<void>((resolve, reject) => {
        const query = new this.pg.Query({
          name: `cello_replay_stream_${this.tables.key}`,
          text:
            'SELECT position::float8 AS position, version::float8 AS version, ' +
            'event_id AS "eventId", type, schema_version AS "schemaVersion", data, ' +
            `metadata -> '${DATE_PATHS_METADATA_KEY}' AS "datePaths" ` +
            `FROM ${this.tables.events} WHERE stream_id = $1 AND version >= $2 ORDER BY version`,
          values: [streamId, readOption('fromVersion', options.fromVersion, 1)],
        });
        // pg's own query_timeout would make it keep every row; this timer does not.
        const timer = setTimeout(() => {
          discard = new Error('Query read timeout');
          reject(discard);
        }, this.options.statementTimeoutMs + 2000);
        query.on('row', (row: ReplayedEvent) => {
          if (handlerFailure) return;
          try {
            onEvent(row);
          } catch (error) {
            handlerFailure = { error };
            // Stop at once: dropping the connection beats reading the rest of a long stream.
            discard = new Error('replay stopped by its event handler');
            clearTimeout(timer);
            resolve();
          }
        });
        query.on('error', (error: Error) => {
          clearTimeout(timer);
          discard ??= error;
          reject(error);
        });
        query.on('end', () => {
          clearTimeout(timer);
          resolve();
        });
        client.query(query);
      });
    } catch (error) {
      throw mapStorageError(error, during);
    } finally {
      // A connection whose query failed, timed out or was abandoned is dropped, not reused.
      client.removeListener('error', onClientError);
      client.release(discard);
    }
    if (handlerFailure) throw handlerFailure.error;
  }

  async readAll(options: ReadAllOptions = {}): Promise<StoredEvent[]> {
    const from = readOption('fromPosition', options.fromPosition, 0);
    readOption('limit', options.limit, 0);
    const result = await this.query<EventRow & { snapshot_xmin: string }>(
      'reading the global log',
      {
        name: `cello_read_all_${this.tables.key}`,
        text:
          `SELECT ${EVENT_COLUMNS}, pg_snapshot_xmin(pg_current_snapshot())::text AS snapshot_xmin ` +
          `FROM ${this.tables.events} WHERE position >= $1 ORDER BY position LIMIT $2`,
        values: [from, options.limit ?? null],
      },
    );
    const rows = result.rows;
    const xmin = rows.length > 0 ? BigInt(rows[0].snapshot_xmin) : undefined;
    const safe = this.gaps.safePrefix(
      from,
      rows.map((row) => Number(row.position)),
      xmin,
    );
    if (safe.gap?.needsMarker) await this.markGap(safe.gap.upTo);
    return rows.slice(0, safe.count).map(toStoredEvent);
  }

  /** The type filter is a `WHERE` clause: rows of other types are never sent. */
  async readBackward(options: ReadBackwardOptions): Promise<StoredEvent[]> {
    const { toPosition, fromPosition, types, limit } = checkReadBackwardOptions(options);
    if (limit === 0 || toPosition < fromPosition || types?.length === 0) return [];
    const result = await this.query<EventRow>('reading the global log backwards', {
      name: `cello_read_backward_${this.tables.key}`,
      text:
        `SELECT ${EVENT_COLUMNS} FROM ${this.tables.events} ` +
        'WHERE position <= $1 AND position >= $2 AND ($3::text[] IS NULL OR type = ANY($3::text[])) ' +
        'ORDER BY position DESC LIMIT $4',
      values: [toPosition, fromPosition, types ?? null, limit],
    });
    return result.rows.map(toStoredEvent);
  }

  async headPosition(): Promise<number> {
    const head = this.gaps.head;
    const summary = await this.query<{ count: string; max: string | null }>(
      'reading the head position',
      {
        name: `cello_head_${this.tables.key}`,
        text: `SELECT count(*) AS count, max(position) AS max FROM ${this.tables.events} WHERE position > $1`,
        values: [head],
      },
    );
    const count = Number(summary.rows[0].count);
    const max = Number(summary.rows[0].max ?? 0);
    if (count === 0) return head;
    // As many rows as positions above the known head: no gap, all of them are visible.
    if (max - head === count) {
      this.gaps.advanceTo(head, max);
      return this.gaps.head;
    }
    for (;;) {
      const from = this.gaps.head + 1;
      const page = await this.query<{ position: string; snapshot_xmin: string }>(
        'reading the head position',
        {
          name: `cello_head_scan_${this.tables.key}`,
          text:
            `SELECT position, pg_snapshot_xmin(pg_current_snapshot())::text AS snapshot_xmin ` +
            `FROM ${this.tables.events} WHERE position >= $1 ORDER BY position LIMIT $2`,
          values: [from, HEAD_SCAN_PAGE],
        },
      );
      const positions = page.rows.map((row) => Number(row.position));
      const xmin = page.rows.length > 0 ? BigInt(page.rows[0].snapshot_xmin) : undefined;
      const safe = this.gaps.safePrefix(from, positions, xmin);
      if (safe.gap) {
        if (safe.gap.needsMarker) await this.markGap(safe.gap.upTo);
        return this.gaps.head;
      }
      if (positions.length < HEAD_SCAN_PAGE) return this.gaps.head;
    }
  }

  /**
   * Takes a fresh transaction id as the marker that proves gaps permanent
   * later, with the highest position visible just before it (the statement's
   * snapshot is taken before the id is): it covers every gap below that.
   */
  private async markGap(upTo: number): Promise<void> {
    const result = await this.query<{ xid: string; max: string | null }>(
      'marking a gap in the global log',
      {
        name: `cello_gap_marker_${this.tables.key}`,
        // Asynchronous commit: this transaction writes nothing worth a WAL flush.
        text:
          `SELECT (SELECT max(position) FROM ${this.tables.events})::text AS max, ` +
          "pg_current_xact_id()::text AS xid FROM set_config('synchronous_commit', 'off', true)",
      },
    );
    const row = result.rows[0];
    this.gaps.markGap(Math.max(upTo, Number(row.max ?? 0)), BigInt(row.xid));
  }

  /** Markers taken to prove gaps in the global log permanent, and the safe head. */
  get globalLogStats(): { readonly gapMarkers: number; readonly safeHead: number } {
    return { gapMarkers: this.gaps.markers, safeHead: this.gaps.head };
  }

  async saveSnapshot(snapshot: StoredSnapshot): Promise<void> {
    const t = this.tables;
    await this.query('saving a snapshot', {
      name: `cello_save_snapshot_${t.key}`,
      text:
        `INSERT INTO ${t.snapshots} AS s (stream_id, aggregate_type, version, schema_version, state, created_at) ` +
        'VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (stream_id, aggregate_type) DO UPDATE SET ' +
        'version = EXCLUDED.version, schema_version = EXCLUDED.schema_version, state = EXCLUDED.state, ' +
        'created_at = EXCLUDED.created_at ' +
        // A late writer of an older snapshot does not replace a newer one of the same schema.
        'WHERE s.version <= EXCLUDED.version OR s.schema_version <> EXCLUDED.schema_version',
      values: [
        snapshot.streamId,
        snapshot.aggregateType,
        snapshot.version,
        snapshot.schemaVersion,
        snapshot.state,
        snapshot.createdAt,
      ],
    });
  }

  async loadSnapshot(streamId: string, aggregateType: string): Promise<StoredSnapshot | undefined> {
    const result = await this.query<{
      version: string;
      schema_version: number;
      state: Buffer;
      created_at: Date;
    }>('loading a snapshot', {
      name: `cello_load_snapshot_${this.tables.key}`,
      text:
        `SELECT version, schema_version, state, created_at FROM ${this.tables.snapshots} ` +
        'WHERE stream_id = $1 AND aggregate_type = $2',
      values: [streamId, aggregateType],
    });
    const row = result.rows[0];
    if (!row) return undefined;
    return {
      streamId,
      aggregateType,
      version: Number(row.version),
      schemaVersion: row.schema_version,
      state: row.state,
      createdAt: row.created_at,
    };
  }

  async acquireLease(
    processor: string,
    owner: string,
    ttlMs: number,
  ): Promise<ProcessorLease | undefined> {
    const t = this.tables;
    // Insert-if-missing, else take it when free, expired or already ours; a
    // takeover by another owner increments the fencing token.
    const result = await this.query<LeaseRow>('acquiring a processor lease', {
      name: `cello_acquire_lease_${t.key}`,
      text:
        `INSERT INTO ${t.processors} AS p (name, owner, fencing_token, lease_expires_at) ` +
        "VALUES ($1, $2, 1, now() + $3 * interval '1 millisecond') " +
        'ON CONFLICT (name) DO UPDATE SET owner = EXCLUDED.owner, ' +
        'fencing_token = CASE WHEN p.owner = EXCLUDED.owner THEN p.fencing_token ELSE p.fencing_token + 1 END, ' +
        'lease_expires_at = EXCLUDED.lease_expires_at ' +
        'WHERE p.owner IS NULL OR p.owner = EXCLUDED.owner OR p.lease_expires_at IS NULL ' +
        'OR p.lease_expires_at < now() ' +
        'RETURNING name, owner, fencing_token, checkpoint, lease_expires_at',
      values: [processor, owner, ttlMs],
    });
    return result.rows[0] && toLease(result.rows[0]);
  }

  async renewLease(lease: ProcessorLease, ttlMs: number): Promise<ProcessorLease | undefined> {
    const result = await this.query<LeaseRow>('renewing a processor lease', {
      name: `cello_renew_lease_${this.tables.key}`,
      text:
        `UPDATE ${this.tables.processors} SET lease_expires_at = now() + $4 * interval '1 millisecond' ` +
        'WHERE name = $1 AND owner = $2 AND fencing_token = $3 ' +
        'RETURNING name, owner, fencing_token, checkpoint, lease_expires_at',
      values: [lease.processor, lease.owner, lease.fencingToken, ttlMs],
    });
    return result.rows[0] && toLease(result.rows[0]);
  }

  async releaseLease(lease: ProcessorLease): Promise<void> {
    await this.query('releasing a processor lease', {
      name: `cello_release_lease_${this.tables.key}`,
      text:
        `UPDATE ${this.tables.processors} SET owner = NULL, lease_expires_at = NULL ` +
        'WHERE name = $1 AND owner = $2 AND fencing_token = $3',
      values: [lease.processor, lease.owner, lease.fencingToken],
    });
  }

  async storeCheckpoint(lease: ProcessorLease, position: number): Promise<boolean> {
    const result = await this.query('storing a checkpoint', {
      name: `cello_store_checkpoint_${this.tables.key}`,
      text:
        `UPDATE ${this.tables.processors} SET checkpoint = $4 ` +
        'WHERE name = $1 AND owner = $2 AND fencing_token = $3',
      values: [lease.processor, lease.owner, lease.fencingToken, position],
    });
    return result.rowCount === 1;
  }

  async readCheckpoint(processor: string): Promise<number> {
    const { rows } = await this.query<{ checkpoint: string | null }>('reading a checkpoint', {
      name: `cello_read_checkpoint_${this.tables.key}`,
      text: `SELECT checkpoint FROM ${this.tables.processors} WHERE name = $1`,
      values: [processor],
    });
    return rows.length === 0 ? 0 : Number(rows[0].checkpoint ?? 0);
  }

  async resetCheckpoint(processor: string, position: number): Promise<void> {
    // Bumping the fencing token revokes a running holder: its next checkpoint
    // or renewal fails, and it takes the lease again, from the new checkpoint.
    await this.query('resetting a checkpoint', {
      name: `cello_reset_checkpoint_${this.tables.key}`,
      text:
        `INSERT INTO ${this.tables.processors} AS p (name, checkpoint) VALUES ($1, $2) ` +
        'ON CONFLICT (name) DO UPDATE SET checkpoint = EXCLUDED.checkpoint, ' +
        'fencing_token = p.fencing_token + 1',
      values: [processor, position],
    });
  }

  async parkEvent(
    processor: string,
    event: StoredEvent,
    error: string,
    attempts: number,
  ): Promise<void> {
    await this.query('parking an event', {
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
    const result = await this.query<{
      id: string;
      processor: string;
      position: string;
      event_id: string;
      stream_id: string;
      type: string;
      error: string;
      attempts: number;
      parked_at: Date;
    }>('listing parked events', {
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
    await this.query('removing a parked event', {
      name: `cello_remove_parked_${this.tables.key}`,
      text: `DELETE FROM ${this.tables.parked} WHERE id = $1`,
      values: [id],
    });
  }

  onAppended(listener: () => void): () => void {
    this.listeners.add(listener);
    if (this.pool) this.startNotificationListener();
    return () => {
      this.listeners.delete(listener);
    };
  }

  async ping(): Promise<void> {
    const timeoutMs = this.options.pingTimeoutMs;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new EventStoreUnavailableError(`ping got no answer in ${timeoutMs} ms`)),
        timeoutMs,
      );
    });
    try {
      await Promise.race([
        this.query('ping', { text: 'SELECT 1', query_timeout: timeoutMs } as QueryConfig),
        timeout,
      ]);
    } finally {
      clearTimeout(timer);
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    // Appends already accepted finish (or fail) before the pool goes away.
    await this.coalescer.whenIdle();
    await this.notifier.close();
    await this.notificationListener?.stop();
    this.notificationListener = undefined;
    this.listeners.clear();
    this.pool = undefined;
    await this.initializing?.catch(() => undefined);
    if (this.ownsDataSource && this.dataSource.isInitialized) await this.dataSource.destroy();
  }

  /**
   * Wakes other instances' listeners. Asynchronous commit: a lost notification
   * costs nothing (readers also poll), so it does not wait for a WAL flush.
   */
  private sendNotification(): Promise<unknown> {
    return this.rawQuery({
      name: `cello_notify_${this.tables.key}`,
      text: "SELECT set_config('synchronous_commit', 'off', true), pg_notify($1, '')",
      values: [this.tables.channel],
    });
  }

  private startNotificationListener(): void {
    if (this.notificationListener || this.closed || !this.pool) return;
    const poolOptions = (this.pool as unknown as { options: ClientConfig }).options;
    this.notificationListener = new PostgresNotificationListener(
      { ...poolOptions, keepAlive: true },
      this.tables.channel,
      () => this.wakeListeners(),
    );
    this.notificationListener.start();
  }

  /** Calls every listener once, soon, however many wake-ups arrive meanwhile. */
  private wakeListeners(): void {
    if (this.wakeScheduled || this.listeners.size === 0) return;
    this.wakeScheduled = true;
    setImmediate(() => {
      this.wakeScheduled = false;
      for (const listener of [...this.listeners]) {
        try {
          listener();
        } catch {
          // A listener's failure is its own business; the others still wake.
        }
      }
    });
  }

  private async query<R extends QueryResultRow = QueryResultRow>(
    during: string,
    config: QueryConfig,
  ) {
    try {
      return await this.rawQuery<R>(config);
    } catch (error) {
      throw mapStorageError(error, during);
    }
  }

  /** Runs one statement on the pool, with a client-side timeout as a last resort. */
  private rawQuery<R extends QueryResultRow>(config: QueryConfig) {
    const pool = this.pool;
    if (!pool) {
      return Promise.reject(
        new EventStoreUnavailableError(
          this.closed ? 'the storage is closed' : 'not connected yet (init() has not succeeded)',
        ),
      );
    }
    const withTimeout = config as QueryConfig & { query_timeout?: number };
    withTimeout.query_timeout ??= this.options.statementTimeoutMs + 2000;
    return pool.query<R>(withTimeout);
  }
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

function toStoredEvent(row: EventRow): StoredEvent {
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

function toLease(row: LeaseRow): ProcessorLease {
  return {
    processor: row.name,
    owner: row.owner,
    fencingToken: Number(row.fencing_token),
    checkpoint: Number(row.checkpoint ?? 0),
    hasCheckpoint: row.checkpoint !== null,
    expiresAt: row.lease_expires_at,
  };
}
