import type * as TypeOrm from 'typeorm';
import type { DataSource } from 'typeorm';
import { loadOptionalPeer } from '@cello/core/internal';
import { InvalidStorageOptionError } from '../../errors/invalid-storage-option.error';
import { SqlEventStorage } from '../sql/sql-event-storage';
import { MysqlAppendWriter } from './mysql-append-writer';
import { MysqlConnection } from './mysql-connection';
import {
  resolveMysqlEventStorageOptions,
  type MysqlEventStorageOptions,
} from './mysql-event-storage-options';
import { MysqlGlobalLogReader } from './mysql-global-log-reader';
import { MysqlParkedEvents } from './mysql-parked-events';
import { MysqlProcessorCheckpoints } from './mysql-processor-checkpoints';
import { MysqlProcessorLeases } from './mysql-processor-leases';
import { MysqlSnapshotStore } from './mysql-snapshot-store';
import { MysqlStreamReader } from './mysql-stream-reader';
import { MysqlStreamReplayer } from './mysql-stream-replayer';
import { MysqlTables } from './mysql-tables';
import { MysqlWakeUps } from './mysql-wake-ups';

/**
 * The MySQL/MariaDB event storage: InnoDB tables created by shipped TypeORM
 * migrations, JSON payloads, appends coalesced into one transaction for all
 * concurrent callers, a global log without holes (positions are assigned
 * under a row lock on the log head, so they commit in order), leases with
 * fencing tokens, and wake-ups by polling the log head (MySQL has no NOTIFY).
 */
export class MysqlEventStorage extends SqlEventStorage {
  /** Quoted names of this store's tables. */
  readonly tables: MysqlTables;

  private constructor(
    dataSource: DataSource,
    ownsDataSource: boolean,
    options: MysqlEventStorageOptions,
  ) {
    const resolved = resolveMysqlEventStorageOptions(options);
    const tables = new MysqlTables(resolved.schema, resolved.tablePrefix);
    const connection = new MysqlConnection(dataSource, ownsDataSource, tables);
    const globalLog = new MysqlGlobalLogReader(connection, tables);
    super(
      {
        connection,
        appends: new MysqlAppendWriter(connection, tables),
        streams: new MysqlStreamReader(connection, tables),
        replay: new MysqlStreamReplayer(connection, tables),
        globalLog,
        snapshots: new MysqlSnapshotStore(connection, tables),
        leases: new MysqlProcessorLeases(connection, tables),
        checkpoints: new MysqlProcessorCheckpoints(connection, tables),
        parked: new MysqlParkedEvents(connection, tables),
        wakeUps: new MysqlWakeUps(globalLog, resolved.pollIntervalMs),
      },
      resolved,
    );
    this.tables = tables;
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
}
