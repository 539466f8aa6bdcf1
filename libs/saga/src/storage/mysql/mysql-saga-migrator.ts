import type { DataSource, MigrationInterface } from 'typeorm';
import { AddMysqlSagaIncarnations } from './add-mysql-saga-incarnations.migration';
import { CreateMysqlSagaTables } from './create-mysql-saga-tables.migration';
import { applyPendingMigrations } from '../sql/apply-pending-migrations';
import type { MysqlSagaTables } from './mysql-saga-tables';

/** Seconds an instance waits for another one that is migrating. */
const LOCK_WAIT_SECONDS = 60;

/** The shipped MySQL migrations, in order, for the given table names. */
export function mysqlSagaMigrations(tables: MysqlSagaTables): MigrationInterface[] {
  return [new CreateMysqlSagaTables(tables), new AddMysqlSagaIncarnations(tables)];
}

/**
 * Applies the shipped migrations that are not yet recorded. A named lock
 * (`GET_LOCK`, held by this connection only while it migrates) keeps
 * instances starting together from racing.
 */
export async function runMysqlSagaMigrations(
  dataSource: DataSource,
  tables: MysqlSagaTables,
): Promise<void> {
  const queryRunner = dataSource.createQueryRunner();
  await queryRunner.connect();
  const lockKey = `cello-saga:${tables.schema ?? ''}.${tables.prefix}`.slice(0, 64);
  try {
    const [lock] = (await queryRunner.query('SELECT GET_LOCK(?, ?) AS taken', [
      lockKey,
      LOCK_WAIT_SECONDS,
    ])) as { taken: number | string | null }[];
    if (Number(lock?.taken) !== 1) {
      throw new Error(`another instance held the saga migration lock for ${LOCK_WAIT_SECONDS} s`);
    }
    try {
      if (tables.schema !== undefined) {
        await queryRunner.query(
          `CREATE DATABASE IF NOT EXISTS \`${tables.schema}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_bin`,
        );
      }
      await queryRunner.query(
        `CREATE TABLE IF NOT EXISTS ${tables.migrations} (
           name VARCHAR(255) NOT NULL PRIMARY KEY,
           applied_at DATETIME(3) NOT NULL DEFAULT (UTC_TIMESTAMP(3))
         ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin`,
      );
      await applyPendingMigrations(
        queryRunner,
        tables.migrations,
        mysqlSagaMigrations(tables),
        `INSERT INTO ${tables.migrations} (name) VALUES (?)`,
      );
    } finally {
      await queryRunner.query('SELECT RELEASE_LOCK(?)', [lockKey]);
    }
  } finally {
    await queryRunner.release();
  }
}
