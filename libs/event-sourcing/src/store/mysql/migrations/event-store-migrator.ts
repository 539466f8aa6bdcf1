import type { DataSource } from 'typeorm';
import { runStoreMigrations } from '../../sql/store-migration-runner';
import type { MysqlTables } from '../mysql-tables';
import { mysqlEventStoreMigrations } from './event-store-migrations';

/** Seconds an instance waits for another one that is migrating. */
const LOCK_WAIT_SECONDS = 60;

/**
 * Brings the store's tables up to date, recorded in `<prefix>migrations`.
 * Safe to run concurrently from many instances: a named lock (`GET_LOCK`,
 * held by the migrating connection only) lets one migrate while the others
 * wait, then find nothing pending.
 */
export function migrateMysqlEventStore(
  dataSource: DataSource,
  tables: MysqlTables,
): Promise<string[]> {
  const database = tables.schema ?? (dataSource.driver as { database?: string }).database;
  // GET_LOCK names are at most 64 characters.
  const lockKey = `cello-es:${tables.schema ?? ''}.${tables.prefix}`.slice(0, 64);
  return runStoreMigrations(dataSource, {
    feature: 'MySQL event storage',
    migrations: mysqlEventStoreMigrations(tables),
    table: {
      migrationsDatabase: database,
      migrationsSchema: undefined,
      migrationsTableName: tables.migrationsTableName,
      migrationsTable: dataSource.driver.buildTableName(
        tables.migrationsTableName,
        undefined,
        database,
      ),
    },
    // MySQL commits every DDL statement by itself: a transaction would not hold them.
    transaction: 'none',
    lock: async (queryRunner) => {
      const [lock] = (await queryRunner.query('SELECT GET_LOCK(?, ?) AS taken', [
        lockKey,
        LOCK_WAIT_SECONDS,
      ])) as { taken: number | string | null }[];
      if (Number(lock?.taken) !== 1) {
        throw new Error(`another instance held the migration lock for ${LOCK_WAIT_SECONDS} s`);
      }
    },
    unlock: (queryRunner) => queryRunner.query('SELECT RELEASE_LOCK(?)', [lockKey]),
    prepare: async (queryRunner) => {
      if (tables.schema !== undefined) {
        await queryRunner.query(
          `CREATE DATABASE IF NOT EXISTS \`${tables.schema}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_bin`,
        );
      }
    },
  });
}
