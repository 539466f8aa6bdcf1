import type { MigrationInterface, QueryRunner } from 'typeorm';
import type { MysqlSagaTables } from './mysql-saga-tables';

/**
 * Second schema of the MySQL/MariaDB saga storage: the process (incarnation)
 * holding each lease, and one heartbeat row per process (see the PostgreSQL
 * twin, `AddSagaIncarnations`). Idempotent, because MySQL commits each DDL
 * statement on its own. Frozen once shipped.
 */
export class AddMysqlSagaIncarnations implements MigrationInterface {
  readonly name: string;

  constructor(private readonly tables: MysqlSagaTables) {
    this.name = `${tables.prefix}1765110000000_add_saga_incarnations`;
  }

  async up(queryRunner: QueryRunner): Promise<void> {
    const { instances, incarnations, prefix, schema } = this.tables;
    // MySQL 8 has no ADD COLUMN IF NOT EXISTS: look first.
    const [{ n }] = (await queryRunner.query(
      `SELECT COUNT(*) AS n FROM information_schema.columns
       WHERE table_schema = COALESCE(?, DATABASE()) AND table_name = ? AND column_name = 'lease_incarnation'`,
      [schema ?? null, `${prefix}instances`],
    )) as { n: number | string }[];
    if (Number(n) === 0) {
      await queryRunner.query(
        `ALTER TABLE ${instances} ADD COLUMN lease_incarnation VARCHAR(64) NULL`,
      );
    }
    await queryRunner.query(`
      CREATE TABLE IF NOT EXISTS ${incarnations} (
        incarnation VARCHAR(64) NOT NULL PRIMARY KEY,
        instance_id VARCHAR(255) NOT NULL,
        started_at  DATETIME(3) NOT NULL DEFAULT (UTC_TIMESTAMP(3)),
        beats       BIGINT NOT NULL DEFAULT 1,
        expires_at  DATETIME(3) NOT NULL,
        KEY \`${prefix}incarnations_instance_idx\` (instance_id)
      ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE IF EXISTS ${this.tables.incarnations}`);
    await queryRunner.query(`ALTER TABLE ${this.tables.instances} DROP COLUMN lease_incarnation`);
  }
}
