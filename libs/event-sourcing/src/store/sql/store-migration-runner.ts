import type * as TypeOrm from 'typeorm';
import type { DataSource, Migration, MigrationInterface, QueryRunner } from 'typeorm';
import { loadOptionalPeer } from '@cello/core/internal';

/** How one backend runs its event store migrations. */
export interface StoreMigrationPlan {
  /** Names the storage when TypeORM is missing. */
  readonly feature: string;
  /** Every shipped migration, oldest first. */
  readonly migrations: readonly MigrationInterface[];
  /** Where TypeORM records them, in place of the DataSource's own settings. */
  readonly table: {
    readonly migrationsDatabase?: string;
    readonly migrationsSchema: string | undefined;
    readonly migrationsTableName: string;
    readonly migrationsTable: string;
  };
  /** 'all': the migrations in one transaction; 'none' where each DDL statement commits (MySQL). */
  readonly transaction: 'all' | 'none';
  /** Takes the lock that lets one instance migrate while the others wait. */
  lock(queryRunner: QueryRunner): Promise<void>;
  unlock(queryRunner: QueryRunner): Promise<void>;
  /** Runs under the lock, before the migrations: creates the schema (or database). */
  prepare(queryRunner: QueryRunner): Promise<void>;
}

type ExecutorClass = new (
  dataSource: DataSource,
  queryRunner: QueryRunner,
  plan: StoreMigrationPlan,
) => InstanceType<typeof TypeOrm.MigrationExecutor>;

let executorClass: ExecutorClass | undefined;

/**
 * TypeORM's migration executor, recording the store's migrations in their own
 * table (`<prefix>migrations`), apart from the application's on the same
 * DataSource. TypeORM is an optional peer: the subclass is made when the first
 * migration runs, not when this file is imported.
 */
function storeMigrationExecutor(feature: string): ExecutorClass {
  if (executorClass) return executorClass;
  const { Migration, MigrationExecutor } = loadOptionalPeer<typeof TypeOrm>(
    'typeorm',
    feature,
    require,
  );
  class StoreMigrationExecutor extends MigrationExecutor {
    constructor(
      dataSource: DataSource,
      queryRunner: QueryRunner,
      private readonly plan: StoreMigrationPlan,
    ) {
      super(dataSource, queryRunner);
      // TypeORM reads these from the DataSource's options; the store keeps its own.
      Object.assign(this, plan.table);
      this.transaction = plan.transaction;
    }

    protected override getMigrations(): Migration[] {
      return this.plan.migrations.map((instance) => {
        const name = instance.name ?? instance.constructor.name;
        return new Migration(undefined, Number(name.slice(-13)), name, instance);
      });
    }
  }
  return (executorClass = StoreMigrationExecutor);
}

/**
 * Brings a store's tables up to date under the plan's lock, so that many
 * instances starting at once migrate one at a time and the later ones find
 * nothing pending. Returns the names of the migrations it ran.
 */
export async function runStoreMigrations(
  dataSource: DataSource,
  plan: StoreMigrationPlan,
): Promise<string[]> {
  const queryRunner = dataSource.createQueryRunner();
  await queryRunner.connect();
  try {
    await plan.lock(queryRunner);
    try {
      await plan.prepare(queryRunner);
      const executor = new (storeMigrationExecutor(plan.feature))(dataSource, queryRunner, plan);
      const ran = await executor.executePendingMigrations();
      return ran.map((migration) => migration.name);
    } finally {
      await plan.unlock(queryRunner);
    }
  } finally {
    await queryRunner.release();
  }
}
