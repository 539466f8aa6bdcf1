import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Applies, in order, the shipped migrations not yet recorded in the
 * migrations table, recording each; the caller holds the lock that keeps
 * instances starting together from racing.
 */
export async function applyPendingMigrations(
  queryRunner: QueryRunner,
  migrationsTable: string,
  migrations: readonly MigrationInterface[],
  /** The backend's `INSERT INTO <migrationsTable> (name) VALUES (<placeholder>)`. */
  recordSql: string,
): Promise<void> {
  const rows = (await queryRunner.query(`SELECT name FROM ${migrationsTable}`)) as {
    name: string;
  }[];
  const applied = new Set(rows.map((r) => r.name));
  for (const migration of migrations) {
    const name = migration.name ?? migration.constructor.name;
    if (applied.has(name)) continue;
    await migration.up(queryRunner);
    await queryRunner.query(recordSql, [name]);
  }
}
