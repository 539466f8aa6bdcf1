import type * as Pg from 'pg';
import type * as TypeOrm from 'typeorm';
import type { DataSource } from 'typeorm';
import { loadOptionalPeer } from '@cello/core/internal';
import { InvalidStorageOptionError } from '../../errors/invalid-storage-option.error';
import { SqlEventStorage } from '../sql/sql-event-storage';
import { PostgresAppendWriter } from './postgres-append-writer';
import { PostgresConnection } from './postgres-connection';
import {
  resolvePostgresEventStorageOptions,
  type PostgresEventStorageOptions,
} from './postgres-event-storage-options';
import { PostgresGlobalLogReader } from './postgres-global-log-reader';
import { PostgresParkedEvents } from './postgres-parked-events';
import { PostgresProcessorCheckpoints } from './postgres-processor-checkpoints';
import { PostgresProcessorLeases } from './postgres-processor-leases';
import { PostgresSnapshotStore } from './postgres-snapshot-store';
import { PostgresStreamReader } from './postgres-stream-reader';
import { PostgresStreamReplayer } from './postgres-stream-replayer';
import { PostgresTables } from './postgres-tables';
import { PostgresWakeUps } from './postgres-wake-ups';

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
export class PostgresEventStorage extends SqlEventStorage {
  /** Qualified names of this store's tables. */
  readonly tables: PostgresTables;
  private readonly globalLog: PostgresGlobalLogReader;

  private constructor(
    dataSource: DataSource,
    ownsDataSource: boolean,
    options: PostgresEventStorageOptions,
  ) {
    // Optional peer, loaded when a PostgreSQL storage is made (never on import).
    const pg = loadPostgresDriver();
    const resolved = resolvePostgresEventStorageOptions(options);
    const tables = new PostgresTables(resolved.schema, resolved.tablePrefix);
    const timeoutMs = resolved.statementTimeoutMs;
    const connection = new PostgresConnection(dataSource, ownsDataSource, tables, timeoutMs);
    const globalLog = new PostgresGlobalLogReader(connection, tables);
    super(
      {
        connection,
        appends: new PostgresAppendWriter(connection, tables),
        streams: new PostgresStreamReader(connection, tables),
        replay: new PostgresStreamReplayer(connection, tables, pg, timeoutMs),
        globalLog,
        snapshots: new PostgresSnapshotStore(connection, tables),
        leases: new PostgresProcessorLeases(connection, tables),
        checkpoints: new PostgresProcessorCheckpoints(connection, tables),
        parked: new PostgresParkedEvents(connection, tables),
        wakeUps: new PostgresWakeUps(connection, tables),
      },
      resolved,
    );
    this.tables = tables;
    this.globalLog = globalLog;
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

  /** Markers taken to prove gaps in the global log permanent, and the safe head. */
  get globalLogStats(): { readonly gapMarkers: number; readonly safeHead: number } {
    return this.globalLog.stats;
  }
}
