import type { Pool as CallbackPool, ResultSetHeader, RowDataPacket } from 'mysql2';
import type { Pool, PoolConnection } from 'mysql2/promise';
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
import { checkReadBackwardOptions } from '../read-backward-options';
import { DATE_PATHS_METADATA_KEY } from '../../serialization/date-paths';
import { AppendCoalescer, type AppendStats, type QueuedAppend } from '../postgres/append-coalescer';
import { validateAppend } from '../postgres/append-validation';
import { isMysqlInvalidInput } from '@cello/core/internal';
import { readOption } from '../read-option';
import { migrateMysqlEventStore } from './migrations/event-store-migrator';
import { isMysqlUnavailable, isRetryableConflict, mapMysqlError } from './mysql-error-mapper';
import {
  resolveMysqlEventStorageOptions,
  type MysqlEventStorageOptions,
  type ResolvedMysqlEventStorageOptions,
} from './mysql-event-storage-options';
import {
  binaryText,
  fromUtcText,
  matchedRows,
  parseJsonColumn,
  placeholders,
  toUtcDatetime,
  utcText,
} from './mysql-sql';
import { MysqlTables } from './mysql-tables';

interface EventRow extends RowDataPacket {
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

interface ReplayRow extends RowDataPacket {
  position: string | number;
  version: string | number;
  event_id: string;
  type: string;
  schema_version: number;
  data: unknown;
  date_paths: unknown;
}

interface LeaseRow extends RowDataPacket {
  name: string;
  owner: string | null;
  fencing_token: string | number;
  /** NULL until the processor's first checkpoint (or a reset). */
  checkpoint: string | number | null;
  lease_expires_at: string | null;
  expired: number | string;
}

/** What the append transaction decided for one queued append. */
type AppendOutcome =
  | { kind: 'appended'; streamVersion: number; positions: number[] }
  | { kind: 'duplicate'; streamVersion: number; positions: number[] }
  | { kind: 'conflict'; actual: number }
  | { kind: 'id-conflict' };

const EVENT_COLUMNS =
  'position, stream_id, version, event_id, type, schema_version, data, metadata, ' +
  `${utcText('recorded_at')} AS recorded_at`;
const LEASE_COLUMNS =
  `name, owner, fencing_token, checkpoint, ${utcText('lease_expires_at')} AS lease_expires_at, ` +
  '(lease_expires_at IS NULL OR lease_expires_at < UTC_TIMESTAMP(3)) AS expired';
/** Events per `replayStream` query when the caller gives no page size. */
const DEFAULT_REPLAY_PAGE_SIZE = 1000;
/** Longest event type name a VARCHAR(255) column holds. */
const MAX_TYPE_LENGTH = 255;
/** Bytes of payload per INSERT statement, well under MySQL's default 16 MiB packet limit. */
const INSERT_CHUNK_BYTES = 4 * 1024 * 1024;
/** Attempts of a transaction that lost a deadlock or timed out waiting for a lock. */
const TRANSACTION_ATTEMPTS = 5;

/**
 * The MySQL/MariaDB event storage: InnoDB tables created by shipped TypeORM
 * migrations, JSON payloads, appends coalesced into one transaction for all
 * concurrent callers, a global log without holes (positions are assigned
 * under a row lock on the log head, so they commit in order), leases with
 * fencing tokens, and wake-ups by polling the log head (MySQL has no NOTIFY).
 */
export class MysqlEventStorage implements EventStorage {
  /** Quoted names of this store's tables. */
  readonly tables: MysqlTables;
  private readonly options: ResolvedMysqlEventStorageOptions;
  private readonly coalescer: AppendCoalescer;
  private readonly listeners = new Set<() => void>();
  private pool?: Pool;
  private initializing?: Promise<void>;
  private pollTimer?: NodeJS.Timeout;
  private polling = false;
  private lastSeenHead?: number;
  private wakeScheduled = false;
  private closed = false;

  private constructor(
    private readonly dataSource: DataSource,
    private readonly ownsDataSource: boolean,
    options: MysqlEventStorageOptions,
  ) {
    this.options = resolveMysqlEventStorageOptions(options);
    this.tables = new MysqlTables(this.options.schema, this.options.tablePrefix);
    this.coalescer = new AppendCoalescer(
      (batch) => this.sendAppendBatch(batch),
      Math.max(1, this.options.maxAppendBatchesInFlight),
      Math.max(1, this.options.maxEventsPerAppendBatch),
    );
  }

  /** A storage with its own TypeORM `DataSource` (and mysql2 pool) for a `mysql://` URL. */
  static fromUrl(url: string, options: MysqlEventStorageOptions = {}): MysqlEventStorage {
    const resolved = resolveMysqlEventStorageOptions(options);
    const parsed = new URL(url);
    parsed.protocol = 'mysql:';
    // Optional peers, loaded only here; mysql2 first, so its absence is named rather than reported by TypeORM.
    loadOptionalPeer('mysql2', 'MySQL event storage', require);
    const { DataSource } = loadOptionalPeer<typeof TypeOrm>(
      'typeorm',
      'MySQL event storage',
      require,
    );
    const dataSource = new DataSource({
      type: 'mysql',
      url: parsed.toString(),
      poolSize: resolved.poolSize,
      connectTimeout: resolved.connectionTimeoutMs,
      // 4-byte UTF-8 (emoji) must survive the connection, not only the tables.
      charset: 'utf8mb4_unicode_ci',
      timezone: 'Z',
      synchronize: false,
      migrationsRun: false,
      entities: [],
      logging: false,
      extra: { enableKeepAlive: true, maxIdle: resolved.poolSize, idleTimeout: 10_000 },
    });
    return new MysqlEventStorage(dataSource, true, options);
  }

  /**
   * A storage on an application's TypeORM `DataSource` for MySQL or MariaDB,
   * sharing its pool. The application keeps owning it: `close()` does not
   * destroy it. Its `charset` must be a utf8mb4 one.
   */
  static fromDataSource(
    dataSource: DataSource,
    options: MysqlEventStorageOptions = {},
  ): MysqlEventStorage {
    const type = dataSource.options.type;
    if (type !== 'mysql' && type !== 'mariadb') {
      throw new InvalidStorageOptionError(
        `the DataSource is of type "${type}", not "mysql" or "mariadb"`,
      );
    }
    const charset = (dataSource.options as { charset?: string }).charset;
    if (!charset || !/^utf8mb4/i.test(charset)) {
      throw new InvalidStorageOptionError(
        `the MySQL DataSource's charset is "${charset ?? 'UTF8_GENERAL_CI (TypeORM default)'}": ` +
          "set charset: 'utf8mb4_unicode_ci' so that 4-byte characters (emoji) are stored intact",
      );
    }
    if ((dataSource.options as { replication?: unknown }).replication) {
      throw new InvalidStorageOptionError(
        'a MySQL DataSource with replication is not supported: give one for the primary',
      );
    }
    return new MysqlEventStorage(dataSource, false, options);
  }

  /** How many appends were requested and how many transactions carried them. */
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
      await migrateMysqlEventStore(this.dataSource, this.tables);
    } catch (error) {
      throw mapMysqlError(error, 'connecting and migrating the event store');
    }
    const driver = this.dataSource.driver as unknown as { pool?: CallbackPool };
    if (!driver.pool) throw new EventStoreUnavailableError('the DataSource has no MySQL pool');
    this.pool = driver.pool.promise();
    if (this.listeners.size > 0) this.startPolling();
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
      events.forEach((event, index) => {
        if (event.type.length > MAX_TYPE_LENGTH) {
          throw new InvalidAppendError(
            streamId,
            `event #${index + 1} has a type name longer than ${MAX_TYPE_LENGTH} characters`,
          );
        }
      });
    } catch (error) {
      return Promise.reject(error);
    }
    return new Promise<AppendResult>((resolve, reject) =>
      this.coalescer.enqueue({ streamId, events, expected, resolve, reject }),
    );
  }

  /** Sends one coalesced batch in one transaction; settles each append with its own outcome. */
  private async sendAppendBatch(batch: QueuedAppend[]): Promise<void> {
    try {
      this.settleAppends(batch, await this.transaction((c) => this.appendInTransaction(c, batch)));
    } catch (error) {
      if (batch.length === 1 || isMysqlUnavailable(error)) {
        for (const append of batch) append.reject(this.appendError(append, error));
        return;
      }
      // One malformed append failed the whole transaction: retry each alone,
      // so only it fails and the others are stored.
      for (const append of batch) {
        try {
          this.settleAppends(
            [append],
            await this.transaction((c) => this.appendInTransaction(c, [append])),
          );
        } catch (single) {
          append.reject(this.appendError(append, single));
        }
      }
    }
  }

  /**
   * The append transaction. Stream rows are locked first (created when
   * missing, in one sorted order so concurrent batches do not deadlock), then
   * each append is decided against the locked versions and the stored event
   * ids; only then is the log head row locked to take positions, so the
   * store-wide serialization point is held for two statements and the commit.
   */
  private async appendInTransaction(
    connection: PoolConnection,
    batch: readonly QueuedAppend[],
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
    const accepted: { append: number; streamId: string; version: number; event: EventToAppend }[] =
      [];
    batch.forEach((append, index) => {
      const current = versions.get(append.streamId) ?? 0;
      const found = append.events.map((event) => known.get(normalizeId(event.eventId)));
      if (found.some((hit) => hit !== undefined)) {
        const whole = found.every((hit) => hit !== undefined && hit.streamId === append.streamId);
        outcomes.push(
          whole
            ? {
                kind: 'duplicate',
                streamVersion: Math.max(...found.map((hit) => hit!.version)),
                positions: found.map((hit) => hit!.position),
              }
            : { kind: 'id-conflict' },
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
        outcomes.push({ kind: 'conflict', actual: current });
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
        kind: 'appended',
        streamVersion: current + append.events.length,
        positions: [],
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
      (outcomes[row.append] as { positions: number[] }).positions.push(first + offset);
    });
    return outcomes;
  }

  /** Multi-row INSERTs, split so that no statement outgrows the server's packet limit. */
  private async insertEvents(
    connection: PoolConnection,
    rows: readonly { streamId: string; version: number; event: EventToAppend }[],
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

  private settleAppends(batch: readonly QueuedAppend[], outcomes: readonly AppendOutcome[]): void {
    let appended = false;
    batch.forEach((append, index) => {
      const outcome = outcomes[index];
      switch (outcome.kind) {
        case 'appended':
          appended = true;
          append.resolve({
            streamVersion: outcome.streamVersion,
            positions: outcome.positions,
            duplicate: false,
          });
          break;
        case 'duplicate':
          append.resolve({
            streamVersion: outcome.streamVersion,
            positions: outcome.positions,
            duplicate: true,
          });
          break;
        case 'conflict':
          append.reject(new ConcurrencyError(append.streamId, append.expected, outcome.actual));
          break;
        default:
          append.reject(new EventIdConflictError(append.streamId, []));
      }
    });
    if (appended) this.wakeListeners();
  }

  /** The typed error for an append whose transaction failed. */
  private appendError(append: QueuedAppend, error: unknown): unknown {
    if (isMysqlUnavailable(error)) return mapMysqlError(error, `append to "${append.streamId}"`);
    const { errno, message } = error as { errno?: number; message?: string };
    if (errno === 1062 && message?.includes('events_event_id_key')) {
      return new EventIdConflictError(append.streamId, []);
    }
    // Invalid JSON (MariaDB's JSON_VALID check 4025, MySQL 3140), text the
    // column cannot hold (1366), values too long or out of range (1406, 1264),
    // any SQLSTATE 22/23: the append's own fault, never retried.
    if (isMysqlInvalidInput(error)) {
      return new InvalidAppendError(append.streamId, message ?? 'rejected by MySQL', {
        cause: error,
      });
    }
    return error;
  }

  async streamVersion(streamId: string): Promise<number> {
    const rows = await this.query<RowDataPacket[]>(
      'reading a stream version',
      `SELECT version FROM ${this.tables.streams} WHERE stream_id = ?`,
      [streamId],
    );
    return rows.length === 0 ? 0 : Number(rows[0].version);
  }

  async readStream(streamId: string, options: ReadStreamOptions = {}): Promise<StoredEvent[]> {
    const limit = options.limit === undefined ? '' : ' LIMIT ?';
    const rows = await this.query<EventRow[]>(
      `reading stream "${streamId}"`,
      `SELECT ${EVENT_COLUMNS} FROM ${this.tables.events} ` +
        `WHERE stream_id = ? AND version >= ? ORDER BY version${limit}`,
      [streamId, readOption('fromVersion', options.fromVersion, 1), ...optional(options.limit)],
    );
    return rows.map(toStoredEvent);
  }

  /**
   * `EventStore.load`'s read: pages of `pageSize` (default 1000) with only what
   * a replay needs: no `recorded_at`, the metadata reduced to its date paths
   * by the server.
   */
  async replayStream(
    streamId: string,
    options: ReplayStreamOptions,
    onEvent: (event: ReplayedEvent) => void,
  ): Promise<void> {
    const pageSize = readOption('pageSize', options.pageSize, DEFAULT_REPLAY_PAGE_SIZE, 1);
    for (let from = readOption('fromVersion', options.fromVersion, 1); ;) {
      const rows = await this.query<ReplayRow[]>(
        `replaying stream "${streamId}"`,
        'SELECT position, version, event_id, type, schema_version, data, ' +
          `JSON_EXTRACT(metadata, '$."${DATE_PATHS_METADATA_KEY}"') AS date_paths ` +
          `FROM ${this.tables.events} WHERE stream_id = ? AND version >= ? ORDER BY version LIMIT ?`,
        [streamId, from, pageSize],
      );
      for (const row of rows) {
        onEvent({
          position: Number(row.position),
          version: Number(row.version),
          eventId: row.event_id,
          type: row.type,
          schemaVersion: Number(row.schema_version),
          data: parseJsonColumn(row.data),
          datePaths: parseJsonColumn(row.date_paths),
        });
      }
      if (rows.length < pageSize) return;
      from = Number(rows[rows.length - 1].version) + 1;
    }
  }

  /**
   * Positions are taken under the log head's row lock and commit in that
   * order, so what a read sees is always a prefix of the log: no lower
   * position can appear later, and no gap needs waiting for.
   */
  async readAll(options: ReadAllOptions = {}): Promise<StoredEvent[]> {
    const limit = options.limit === undefined ? '' : ' LIMIT ?';
    const rows = await this.query<EventRow[]>(
      'reading the global log',
      `SELECT ${EVENT_COLUMNS} FROM ${this.tables.events} WHERE position >= ? ORDER BY position${limit}`,
      [readOption('fromPosition', options.fromPosition, 0), ...optional(options.limit)],
    );
    return rows.map(toStoredEvent);
  }

  /** The type filter is a `WHERE` clause: rows of other types are never sent. */
  async readBackward(options: ReadBackwardOptions): Promise<StoredEvent[]> {
    const { toPosition, fromPosition, types, limit } = checkReadBackwardOptions(options);
    if (limit === 0 || toPosition < fromPosition || types?.length === 0) return [];
    const byType = types === undefined ? '' : ` AND type IN (${types.map(() => '?').join(', ')})`;
    const rows = await this.query<EventRow[]>(
      'reading the global log backwards',
      `SELECT ${EVENT_COLUMNS} FROM ${this.tables.events} WHERE position <= ? AND position >= ?` +
        `${byType} ORDER BY position DESC LIMIT ?`,
      [toPosition, fromPosition, ...(types ?? []), limit],
    );
    return rows.map(toStoredEvent);
  }

  async headPosition(): Promise<number> {
    const rows = await this.query<RowDataPacket[]>(
      'reading the head position',
      `SELECT position FROM ${this.tables.logHead} WHERE id = 1`,
      [],
    );
    return rows.length === 0 ? 0 : Number(rows[0].position);
  }

  async saveSnapshot(snapshot: StoredSnapshot): Promise<void> {
    // Assignments run left to right on the updated row: `version` and
    // `schema_version` come last, and the condition gives the same answer
    // before and after each of them. A late writer of an older snapshot of the
    // same schema replaces nothing.
    const replace = '(version <= VALUES(version) OR schema_version <> VALUES(schema_version))';
    await this.query(
      'saving a snapshot',
      `INSERT INTO ${this.tables.snapshots} (stream_id, aggregate_type, version, schema_version, state, created_at) ` +
        'VALUES (?, ?, ?, ?, ?, ?) ON DUPLICATE KEY UPDATE ' +
        `state = IF(${replace}, VALUES(state), state), ` +
        `created_at = IF(${replace}, VALUES(created_at), created_at), ` +
        `version = IF(${replace}, VALUES(version), version), ` +
        `schema_version = IF(${replace}, VALUES(schema_version), schema_version)`,
      [
        snapshot.streamId,
        snapshot.aggregateType,
        snapshot.version,
        snapshot.schemaVersion,
        snapshot.state,
        toUtcDatetime(snapshot.createdAt),
      ],
    );
  }

  async loadSnapshot(streamId: string, aggregateType: string): Promise<StoredSnapshot | undefined> {
    const rows = await this.query<RowDataPacket[]>(
      'loading a snapshot',
      `SELECT version, schema_version, state, ${utcText('created_at')} AS created_at ` +
        `FROM ${this.tables.snapshots} WHERE stream_id = ? AND aggregate_type = ?`,
      [streamId, aggregateType],
    );
    const row = rows[0];
    if (!row) return undefined;
    return {
      streamId,
      aggregateType,
      version: Number(row.version),
      schemaVersion: Number(row.schema_version),
      state: row.state as Buffer,
      createdAt: fromUtcText(row.created_at as string),
    };
  }

  async acquireLease(
    processor: string,
    owner: string,
    ttlMs: number,
  ): Promise<ProcessorLease | undefined> {
    const t = this.tables;
    try {
      return await this.transaction(async (connection) => {
        // Create the row when missing and take its exclusive lock in one
        // statement (INSERT IGNORE would take a shared lock first, and two
        // racers upgrading theirs deadlock), then decide under that lock.
        await connection.query(
          `INSERT INTO ${t.processors} (name) VALUES (?) ON DUPLICATE KEY UPDATE name = name`,
          [processor],
        );
        const [rows] = await connection.query<LeaseRow[]>(
          `SELECT ${LEASE_COLUMNS} FROM ${t.processors} WHERE name = ? FOR UPDATE`,
          [processor],
        );
        const row = rows[0];
        const free = row.owner === null || row.owner === owner || Number(row.expired) === 1;
        if (!free) return undefined;
        await connection.query(
          `UPDATE ${t.processors} SET owner = ?, fencing_token = fencing_token + ?, ` +
            'lease_expires_at = UTC_TIMESTAMP(3) + INTERVAL ? MICROSECOND WHERE name = ?',
          [owner, row.owner === owner ? 0 : 1, Math.round(ttlMs * 1000), processor],
        );
        const [taken] = await connection.query<LeaseRow[]>(
          `SELECT ${LEASE_COLUMNS} FROM ${t.processors} WHERE name = ?`,
          [processor],
        );
        return toLease(taken[0]);
      });
    } catch (error) {
      throw mapMysqlError(error, 'acquiring a processor lease');
    }
  }

  async renewLease(lease: ProcessorLease, ttlMs: number): Promise<ProcessorLease | undefined> {
    const t = this.tables;
    try {
      return await this.transaction(async (connection) => {
        const [result] = await connection.query<ResultSetHeader>(
          `UPDATE ${t.processors} SET lease_expires_at = UTC_TIMESTAMP(3) + INTERVAL ? MICROSECOND ` +
            'WHERE name = ? AND owner = ? AND fencing_token = ?',
          [Math.round(ttlMs * 1000), lease.processor, lease.owner, lease.fencingToken],
        );
        if (matchedRows(result) !== 1) return undefined;
        const [rows] = await connection.query<LeaseRow[]>(
          `SELECT ${LEASE_COLUMNS} FROM ${t.processors} WHERE name = ?`,
          [lease.processor],
        );
        return toLease(rows[0]);
      });
    } catch (error) {
      throw mapMysqlError(error, 'renewing a processor lease');
    }
  }

  async releaseLease(lease: ProcessorLease): Promise<void> {
    await this.query(
      'releasing a processor lease',
      `UPDATE ${this.tables.processors} SET owner = NULL, lease_expires_at = NULL ` +
        'WHERE name = ? AND owner = ? AND fencing_token = ?',
      [lease.processor, lease.owner, lease.fencingToken],
    );
  }

  async storeCheckpoint(lease: ProcessorLease, position: number): Promise<boolean> {
    const result = await this.query<ResultSetHeader>(
      'storing a checkpoint',
      `UPDATE ${this.tables.processors} SET checkpoint = ? ` +
        'WHERE name = ? AND owner = ? AND fencing_token = ?',
      [position, lease.processor, lease.owner, lease.fencingToken],
    );
    return matchedRows(result) === 1;
  }

  async readCheckpoint(processor: string): Promise<number> {
    const rows = await this.query<RowDataPacket[]>(
      'reading a checkpoint',
      `SELECT checkpoint FROM ${this.tables.processors} WHERE name = ?`,
      [processor],
    );
    return rows.length === 0 ? 0 : Number(rows[0].checkpoint ?? 0);
  }

  async resetCheckpoint(processor: string, position: number): Promise<void> {
    // Bumping the fencing token revokes a running holder: its next checkpoint
    // or renewal fails, and it takes the lease again, from the new checkpoint.
    await this.query(
      'resetting a checkpoint',
      `INSERT INTO ${this.tables.processors} (name, checkpoint) VALUES (?, ?) ` +
        'ON DUPLICATE KEY UPDATE checkpoint = VALUES(checkpoint), fencing_token = fencing_token + 1',
      [processor, position],
    );
  }

  async parkEvent(
    processor: string,
    event: StoredEvent,
    error: string,
    attempts: number,
  ): Promise<void> {
    await this.query(
      'parking an event',
      `INSERT INTO ${this.tables.parked} (processor, position, event_id, stream_id, type, error, attempts) ` +
        'VALUES (?, ?, ?, ?, ?, ?, ?) ON DUPLICATE KEY UPDATE ' +
        'error = VALUES(error), attempts = VALUES(attempts), parked_at = UTC_TIMESTAMP(3)',
      [processor, event.position, event.eventId, event.streamId, event.type, error, attempts],
    );
  }

  async listParked(processor?: string): Promise<ParkedEvent[]> {
    const rows = await this.query<RowDataPacket[]>(
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
    await this.query('removing a parked event', `DELETE FROM ${this.tables.parked} WHERE id = ?`, [
      id,
    ]);
  }

  onAppended(listener: () => void): () => void {
    this.listeners.add(listener);
    if (this.pool) this.startPolling();
    return () => {
      this.listeners.delete(listener);
      if (this.listeners.size === 0) this.stopPolling();
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
      await Promise.race([this.query('ping', 'SELECT 1', []), timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    // Appends already accepted finish (or fail) before the pool goes away.
    await this.coalescer.whenIdle();
    this.stopPolling();
    this.listeners.clear();
    this.pool = undefined;
    await this.initializing?.catch(() => undefined);
    if (this.ownsDataSource && this.dataSource.isInitialized) await this.dataSource.destroy();
  }

  /**
   * Other instances' appends are noticed by polling the log head (one
   * primary-key read); this instance's own appends wake listeners at once.
   */
  private startPolling(): void {
    if (this.pollTimer || this.closed || !this.pool) return;
    this.pollTimer = setInterval(() => void this.pollHead(), this.options.pollIntervalMs);
    this.pollTimer.unref();
  }

  private stopPolling(): void {
    if (this.pollTimer) clearInterval(this.pollTimer);
    this.pollTimer = undefined;
  }

  private async pollHead(): Promise<void> {
    if (this.polling) return;
    this.polling = true;
    try {
      const head = await this.headPosition();
      if (this.lastSeenHead !== undefined && head !== this.lastSeenHead) this.wakeListeners();
      this.lastSeenHead = head;
    } catch {
      // The subscribers' own reads report the outage; polling just tries again.
    } finally {
      this.polling = false;
    }
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

  private connectedPool(): Pool {
    if (!this.pool) {
      throw new EventStoreUnavailableError(
        this.closed ? 'the storage is closed' : 'not connected yet (init() has not succeeded)',
      );
    }
    return this.pool;
  }

  private async query<R extends RowDataPacket[] | ResultSetHeader = RowDataPacket[]>(
    during: string,
    sql: string,
    values: unknown[],
  ): Promise<R> {
    try {
      const [result] = await this.connectedPool().query<R>(sql, values);
      return result;
    } catch (error) {
      throw mapMysqlError(error, during);
    }
  }

  /**
   * Runs `work` in a transaction on one pooled connection, again when it lost
   * a deadlock or a lock wait (nothing of it was kept). A connection that
   * failed is destroyed rather than returned to the pool.
   */
  private async transaction<T>(work: (connection: PoolConnection) => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      const connection = await this.connectedPool().getConnection();
      let broken = false;
      try {
        await connection.query('START TRANSACTION');
        const result = await work(connection);
        await connection.query('COMMIT');
        return result;
      } catch (error) {
        broken = isMysqlUnavailable(error);
        if (!broken) await connection.query('ROLLBACK').catch(() => (broken = true));
        if (broken || !isRetryableConflict(error) || attempt >= TRANSACTION_ATTEMPTS) throw error;
      } finally {
        if (broken) connection.destroy();
        else connection.release();
      }
      // Lost a deadlock: step back a little, at random, so racers do not collide again.
      await sleep(Math.random() * 5 * attempt);
    }
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Event ids are stored lower-case, so a re-send in another case is still recognised. */
function normalizeId(eventId: string): string {
  return eventId.toLowerCase();
}

function optional(limit: number | undefined): number[] {
  return limit === undefined ? [] : [readOption('limit', limit, 0)];
}

function toStoredEvent(row: EventRow): StoredEvent {
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

function toLease(row: LeaseRow): ProcessorLease {
  return {
    processor: row.name,
    owner: row.owner ?? '',
    fencingToken: Number(row.fencing_token),
    checkpoint: Number(row.checkpoint ?? 0),
    hasCheckpoint: row.checkpoint !== null,
    expiresAt: fromUtcText(row.lease_expires_at ?? '1970-01-01T00:00:00.000Z'),
  };
}
