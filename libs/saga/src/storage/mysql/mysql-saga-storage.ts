import type { Pool as CallbackPool } from 'mysql2';
import type { DataSource } from 'typeorm';
import { InvalidSagaOptionsError } from '../../errors/invalid-saga-options.error';
import { createOwnDataSource } from '../sql/create-own-data-source';
import { openSqlSagaStorage } from '../sql/open-sql-saga-storage';
import type { SqlSagaOperations } from '../sql/sql-saga-operations';
import { bindSqlSagaSchema } from '../sql/sql-saga-schema';
import type { SqlSagaStorageOptions } from '../sql/sql-saga-storage-options';
import { SqlSagaStorage } from '../sql/sql-saga-storage';
import { runMysqlSagaMigrations } from './mysql-saga-migrator';
import { mysqlSagaTables } from './mysql-saga-tables';
import * as schema from './schema';
import { MysqlSagaSql } from './schema/mysql-saga-sql';

/** Options of the MySQL/MariaDB saga storage. */
export interface MysqlSagaStorageOptions extends SqlSagaStorageOptions {
  /** MySQL database of the tables. Default: the connection's database. */
  schema?: string;
}

/**
 * Saga state in MySQL or MariaDB through a TypeORM DataSource. Every write is
 * fenced: the rows are locked (`SELECT ... FOR UPDATE`), and only those whose
 * owner and fencing token are still the writer's are updated. Recovery claims
 * abandoned sagas with `FOR UPDATE SKIP LOCKED` (MariaDB 10.6+, MySQL 8), so
 * instances scanning together each get different rows.
 */
export class MysqlSagaStorage extends SqlSagaStorage {
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
    return new MysqlSagaStorage(
      await openSqlSagaStorage(dataSource, options, false, mysqlSagaOperations),
    );
  }

  /** Opens a DataSource of its own on a `mysql://` or `mariadb://` URL (closed by `close()`). */
  static async fromUrl(
    url: string,
    options: MysqlSagaStorageOptions = {},
  ): Promise<MysqlSagaStorage> {
    const parsed = new URL(url);
    parsed.protocol = 'mysql:';
    const dataSource = createOwnDataSource('mysql2', 'MySQL saga storage', {
      type: 'mysql',
      url: parsed.toString(),
      poolSize: options.poolSize ?? 10,
      charset: 'utf8mb4_unicode_ci',
      timezone: 'Z',
      synchronize: false,
      extra: { enableKeepAlive: true },
    });
    return new MysqlSagaStorage(
      await openSqlSagaStorage(dataSource, options, true, mysqlSagaOperations),
    );
  }
}

/** Migrates (unless told not to) and binds the statements of `schema/` to the DataSource's pool. */
async function mysqlSagaOperations(
  dataSource: DataSource,
  options: MysqlSagaStorageOptions,
): Promise<SqlSagaOperations> {
  const tables = mysqlSagaTables(options.schema, options.tablePrefix);
  if (options.migrationsRun ?? true) await runMysqlSagaMigrations(dataSource, tables);
  const [{ version }] = (await dataSource.query('SELECT VERSION() AS version')) as {
    version: string;
  }[];
  const pool = (dataSource.driver as unknown as { pool: CallbackPool }).pool.promise();
  return bindSqlSagaSchema(new MysqlSagaSql(tables, pool, supportsSkipLocked(version)), schema);
}

/** `FOR UPDATE SKIP LOCKED` exists from MariaDB 10.6 and MySQL 8.0.1. */
function supportsSkipLocked(version: string): boolean {
  const [major, minor] = version.split(/[.-]/).map(Number);
  if (/mariadb/i.test(version)) return major > 10 || (major === 10 && minor >= 6);
  return major >= 8;
}
