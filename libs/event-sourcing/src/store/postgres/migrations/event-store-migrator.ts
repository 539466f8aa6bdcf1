import type { DataSource } from 'typeorm';
import { runStoreMigrations } from '../../sql/store-migration-runner';
import type { PostgresTables } from '../postgres-tables';
import { eventStoreMigrations } from './event-store-migrations';

/**
 * Brings the store's schema up to date, recorded in `<schema>.<prefix>migrations`,
 * all migrations in one transaction. Safe to run concurrently from many
 * instances: an advisory lock lets one migrate while the others wait, then
 * find nothing pending. Returns the names of the migrations it ran.
 */
export function migrateEventStore(
  dataSource: DataSource,
  tables: PostgresTables,
): Promise<string[]> {
  const lockKey = `cello-event-store-migrations:${tables.schema}.${tables.prefix}`;
  return runStoreMigrations(dataSource, {
    feature: 'PostgreSQL event storage',
    migrations: eventStoreMigrations(tables),
    table: {
      migrationsSchema: tables.schema,
      migrationsTableName: tables.migrationsTableName,
      migrationsTable: `${tables.schema}.${tables.migrationsTableName}`,
    },
    transaction: 'all',
    lock: (queryRunner) => queryRunner.query('SELECT pg_advisory_lock(hashtext($1))', [lockKey]),
    unlock: (queryRunner) =>
      queryRunner.query('SELECT pg_advisory_unlock(hashtext($1))', [lockKey]),
    prepare: (queryRunner) =>
      queryRunner.query(`CREATE SCHEMA IF NOT EXISTS ${tables.quotedSchema}`),
  });
}
