import type { DataSource, MigrationInterface } from 'typeorm';
import { AddSagaIncarnations } from './add-saga-incarnations.migration';
import { CreateSagaTables } from './create-saga-tables.migration';
import { applyPendingMigrations } from '../sql/apply-pending-migrations';
import type { SagaTables } from './saga-tables';

/** The shipped migrations, in order, for the given table names. */
export function sagaMigrations(tables: SagaTables): MigrationInterface[] {
  return [new CreateSagaTables(tables), new AddSagaIncarnations(tables)];
}

/**
 * Applies the shipped migrations that are not yet recorded, in one
 * transaction. A transaction-scoped advisory lock (released at commit, so safe
 * behind poolers) keeps instances starting together from racing.
 */
export async function runSagaMigrations(dataSource: DataSource, tables: SagaTables): Promise<void> {
  const queryRunner = dataSource.createQueryRunner();
  await queryRunner.connect();
  try {
    await queryRunner.startTransaction();
    await queryRunner.query('SELECT pg_advisory_xact_lock(hashtext($1))', [tables.migrations]);
    await queryRunner.query(`CREATE SCHEMA IF NOT EXISTS "${tables.schema}"`);
    await queryRunner.query(
      `CREATE TABLE IF NOT EXISTS ${tables.migrations} (
         name text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())`,
    );
    await applyPendingMigrations(
      queryRunner,
      tables.migrations,
      sagaMigrations(tables),
      `INSERT INTO ${tables.migrations} (name) VALUES ($1)`,
    );
    await queryRunner.commitTransaction();
  } catch (error) {
    if (queryRunner.isTransactionActive) await queryRunner.rollbackTransaction();
    throw error;
  } finally {
    await queryRunner.release();
  }
}
