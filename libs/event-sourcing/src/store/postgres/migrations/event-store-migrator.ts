import type * as TypeOrm from 'typeorm';
import type { DataSource, Migration, QueryRunner } from 'typeorm';
import { loadOptionalPeer } from '@cello/core/internal';
import type { PostgresTables } from '../postgres-tables';
import { eventStoreMigrations } from './event-store-migrations';

type ExecutorClass = new (
  dataSource: DataSource,
  queryRunner: QueryRunner,
  tables: PostgresTables,
) => InstanceType<typeof TypeOrm.MigrationExecutor>;

let executorClass: ExecutorClass | undefined;

/**
 * Runs the event store's own migrations through TypeORM, recorded in their
 * own migrations table (`<schema>.<prefix>migrations`), apart from the
 * application's migrations on the same `DataSource`.
 *
 * TypeORM is an optional peer: the subclass is made when the first migration
 * runs, not when this file is imported.
 */
function eventStoreMigrationExecutor(): ExecutorClass {
  if (executorClass) return executorClass;
  const { Migration, MigrationExecutor } = loadOptionalPeer<typeof TypeOrm>(
    'typeorm',
    'PostgreSQL event storage',
    require,
  );
  class EventStoreMigrationExecutor extends MigrationExecutor {
    constructor(
      dataSource: DataSource,
      queryRunner: QueryRunner,
      private readonly tables: PostgresTables,
    ) {
      super(dataSource, queryRunner);
      // TypeORM reads these from the DataSource's options; the store keeps its own.
      Object.assign(this, {
        migrationsSchema: tables.schema,
        migrationsTableName: tables.migrationsTableName,
        migrationsTable: `${tables.schema}.${tables.migrationsTableName}`,
      });
      this.transaction = 'all';
    }

    protected override getMigrations(): Migration[] {
      return eventStoreMigrations(this.tables).map((instance) => {
        const name = instance.name ?? instance.constructor.name;
        return new Migration(undefined, Number(name.slice(-13)), name, instance);
      });
    }
  }
  return (executorClass = EventStoreMigrationExecutor);
}

/**
 * Brings the store's schema up to date. Safe to run concurrently from many
 * instances: an advisory lock lets one migrate while the others wait, then
 * find nothing pending. Returns the names of the migrations it ran.
 */
export async function migrateEventStore(
  dataSource: DataSource,
  tables: PostgresTables,
): Promise<string[]> {
  const queryRunner = dataSource.createQueryRunner();
  await queryRunner.connect();
  const lockKey = `cello-event-store-migrations:${tables.schema}.${tables.prefix}`;
  try {
    await queryRunner.query('SELECT pg_advisory_lock(hashtext($1))', [lockKey]);
    try {
      await queryRunner.query(`CREATE SCHEMA IF NOT EXISTS ${tables.quotedSchema}`);
      const executor = new (eventStoreMigrationExecutor())(dataSource, queryRunner, tables);
      const ran = await executor.executePendingMigrations();
      return ran.map((migration) => migration.name);
    } finally {
      await queryRunner.query('SELECT pg_advisory_unlock(hashtext($1))', [lockKey]);
    }
  } finally {
    await queryRunner.release();
  }
}
