import type * as TypeOrm from 'typeorm';
import type { DataSource, Migration, QueryRunner } from 'typeorm';
import { loadOptionalPeer } from '@cello/core/internal';
import type { MysqlTables } from '../mysql-tables';
import { mysqlEventStoreMigrations } from './event-store-migrations';

/** Seconds an instance waits for another one that is migrating. */
const LOCK_WAIT_SECONDS = 60;

type ExecutorClass = new (
  dataSource: DataSource,
  queryRunner: QueryRunner,
  tables: MysqlTables,
) => InstanceType<typeof TypeOrm.MigrationExecutor>;

let executorClass: ExecutorClass | undefined;

/**
 * Runs the event store's own migrations through TypeORM, recorded in their
 * own migrations table (`<prefix>migrations`), apart from the application's.
 *
 * TypeORM is an optional peer: the subclass is made when the first migration
 * runs, not when this file is imported.
 */
function mysqlEventStoreMigrationExecutor(): ExecutorClass {
  if (executorClass) return executorClass;
  const { Migration, MigrationExecutor } = loadOptionalPeer<typeof TypeOrm>(
    'typeorm',
    'MySQL event storage',
    require,
  );
  class MysqlEventStoreMigrationExecutor extends MigrationExecutor {
    constructor(
      dataSource: DataSource,
      queryRunner: QueryRunner,
      private readonly tables: MysqlTables,
    ) {
      super(dataSource, queryRunner);
      const database = tables.schema ?? (dataSource.driver as { database?: string }).database;
      // TypeORM reads these from the DataSource's options; the store keeps its own.
      Object.assign(this, {
        migrationsDatabase: database,
        migrationsSchema: undefined,
        migrationsTableName: tables.migrationsTableName,
        migrationsTable: dataSource.driver.buildTableName(
          tables.migrationsTableName,
          undefined,
          database,
        ),
      });
      // MySQL commits every DDL statement by itself: a transaction would not hold them.
      this.transaction = 'none';
    }

    protected override getMigrations(): Migration[] {
      return mysqlEventStoreMigrations(this.tables).map((instance) => {
        const name = instance.name ?? instance.constructor.name;
        return new Migration(undefined, Number(name.slice(-13)), name, instance);
      });
    }
  }
  return (executorClass = MysqlEventStoreMigrationExecutor);
}

/**
 * Brings the store's tables up to date. Safe to run concurrently from many
 * instances: a named lock (`GET_LOCK`, held by the migrating connection only)
 * lets one migrate while the others wait, then find nothing pending.
 */
export async function migrateMysqlEventStore(
  dataSource: DataSource,
  tables: MysqlTables,
): Promise<string[]> {
  const queryRunner = dataSource.createQueryRunner();
  await queryRunner.connect();
  // GET_LOCK names are at most 64 characters.
  const lockKey = `cello-es:${tables.schema ?? ''}.${tables.prefix}`.slice(0, 64);
  try {
    const [lock] = (await queryRunner.query('SELECT GET_LOCK(?, ?) AS taken', [
      lockKey,
      LOCK_WAIT_SECONDS,
    ])) as { taken: number | string | null }[];
    if (Number(lock?.taken) !== 1) {
      throw new Error(`another instance held the migration lock for ${LOCK_WAIT_SECONDS} s`);
    }
    try {
      if (tables.schema !== undefined) {
        await queryRunner.query(
          `CREATE DATABASE IF NOT EXISTS \`${tables.schema}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_bin`,
        );
      }
      const executor = new (mysqlEventStoreMigrationExecutor())(dataSource, queryRunner, tables);
      const ran = await executor.executePendingMigrations();
      return ran.map((migration) => migration.name);
    } finally {
      await queryRunner.query('SELECT RELEASE_LOCK(?)', [lockKey]);
    }
  } finally {
    await queryRunner.release();
  }
}
