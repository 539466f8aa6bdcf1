import type { Pool as CallbackPool } from 'mysql2';
import type * as TypeOrm from 'typeorm';
import type { DataSource } from 'typeorm';
import { loadOptionalPeer } from '@cello/core/internal';
import { InvalidSagaOptionsError } from '../../errors/invalid-saga-options.error';
import { openWithOwnDataSource } from '../sql/open-sql-saga-storage';
import type { SqlSagaOperations } from '../sql/sql-saga-operations';
import { SqlSagaStorage } from '../sql/sql-saga-storage';
import { runMysqlSagaMigrations } from './mysql-saga-migrator';
import { mysqlSagaTables } from './mysql-saga-tables';
import { claimAbandonedSagas } from './schema/claim-abandoned-sagas';
import { claimSaga } from './schema/claim-saga';
import { createSagas } from './schema/create-sagas';
import { heartbeat } from './schema/heartbeat';
import { listSagas } from './schema/list-sagas';
import { loadSaga } from './schema/load-saga';
import { MysqlSagaSql } from './schema/mysql-saga-sql';
import { quarantineSaga } from './schema/quarantine-saga';
import { renewLeases } from './schema/renew-leases';
import { retireIncarnation } from './schema/retire-incarnation';
import { saveSagas } from './schema/save-sagas';

/** Options of the MySQL/MariaDB saga storage. */
export interface MysqlSagaStorageOptions {
  /** MySQL database of the tables. Default: the connection's database. */
  schema?: string;
  /** Default `cello_saga_`. */
  tablePrefix?: string;
  /** Apply the shipped migrations on open. Default: true. */
  migrationsRun?: boolean;
  /** Pool size when opened from a URL. Default: 10. */
  poolSize?: number;
  /** Send concurrent sagas' writes in one transaction (group commit). Default: true. */
  coalesceWrites?: boolean;
}

/** The MySQL statements and transactions, one file each under `schema/`. */
function mysqlSagaOperations(sql: MysqlSagaSql): SqlSagaOperations {
  return {
    createBatch: (items) => createSagas(sql, items),
    saveBatch: (items) => saveSagas(sql, items),
    load: (id) => loadSaga(sql, id),
    list: (query) => listSagas(sql, query),
    claimAbandoned: (...args) => claimAbandonedSagas(sql, ...args),
    claim: (...args) => claimSaga(sql, ...args),
    quarantine: (...args) => quarantineSaga(sql, ...args),
    heartbeat: (...args) => heartbeat(sql, ...args),
    retireIncarnation: (incarnation) => retireIncarnation(sql, incarnation),
    renewLeases: (...args) => renewLeases(sql, ...args),
    ping: async () => void (await sql.run('ping', (c) => c.query('SELECT 1'))),
  };
}

/**
 * Saga state in MySQL or MariaDB through a TypeORM DataSource. Every write is
 * fenced: the rows are locked (`SELECT ... FOR UPDATE`), and only those whose
 * owner and fencing token are still the writer's are updated. Recovery claims
 * abandoned sagas with `FOR UPDATE SKIP LOCKED` (MariaDB 10.6+, MySQL 8), so
 * instances scanning together each get different rows.
 */
export class MysqlSagaStorage extends SqlSagaStorage {
  /** Opens a DataSource of its own on a `mysql://` or `mariadb://` URL (closed by `close()`). */
  static async fromUrl(
    url: string,
    options: MysqlSagaStorageOptions = {},
  ): Promise<MysqlSagaStorage> {
    const parsed = new URL(url);
    parsed.protocol = 'mysql:';
    // Optional peers, loaded only here; mysql2 first, so its absence is named rather than reported by TypeORM.
    loadOptionalPeer('mysql2', 'MySQL saga storage', require);
    const { DataSource } = loadOptionalPeer<typeof TypeOrm>(
      'typeorm',
      'MySQL saga storage',
      require,
    );
    const dataSource = new DataSource({
      type: 'mysql',
      url: parsed.toString(),
      poolSize: options.poolSize ?? 10,
      charset: 'utf8mb4_unicode_ci',
      timezone: 'Z',
      synchronize: false,
      extra: { enableKeepAlive: true },
    });
    return openWithOwnDataSource(dataSource, (opened) =>
      MysqlSagaStorage.open(opened, options, true),
    );
  }

  /** Uses the application's MySQL/MariaDB DataSource (left open by `close()`); its charset must be utf8mb4. */
  static async fromDataSource(
    dataSource: DataSource,
    options: MysqlSagaStorageOptions = {},
  ): Promise<MysqlSagaStorage> {
    const type = dataSource.options.type;
    if (type !== 'mysql' && type !== 'mariadb') {
      throw new InvalidSagaOptionsError('storage', `is a DataSource of type "${type}", not mysql.`);
    }
    const charset = (dataSource.options as { charset?: string }).charset;
    if (!charset || !/^utf8mb4/i.test(charset)) {
      throw new InvalidSagaOptionsError(
        'storage',
        `is a MySQL DataSource with charset "${charset ?? 'UTF8_GENERAL_CI'}": set charset: 'utf8mb4_unicode_ci' so that 4-byte characters survive.`,
      );
    }
    if (!dataSource.isInitialized) await dataSource.initialize();
    return MysqlSagaStorage.open(dataSource, options, false);
  }

  private static async open(
    dataSource: DataSource,
    options: MysqlSagaStorageOptions,
    owns: boolean,
  ): Promise<MysqlSagaStorage> {
    const tables = mysqlSagaTables(options.schema, options.tablePrefix);
    if (options.migrationsRun ?? true) await runMysqlSagaMigrations(dataSource, tables);
    const [{ version }] = (await dataSource.query('SELECT VERSION() AS version')) as {
      version: string;
    }[];
    const pool = (dataSource.driver as unknown as { pool: CallbackPool }).pool.promise();
    const sql = new MysqlSagaSql(tables, pool, supportsSkipLocked(version));
    return new MysqlSagaStorage(
      mysqlSagaOperations(sql),
      dataSource,
      owns,
      options.coalesceWrites ?? true,
    );
  }
}

/** `FOR UPDATE SKIP LOCKED` exists from MariaDB 10.6 and MySQL 8.0.1. */
function supportsSkipLocked(version: string): boolean {
  const [major, minor] = version.split(/[.-]/).map(Number);
  if (/mariadb/i.test(version)) return major > 10 || (major === 10 && minor >= 6);
  return major >= 8;
}
