import type { MigrationInterface, QueryRunner } from 'typeorm';
import type { MysqlSagaTables } from './mysql-saga-tables';

/**
 * First schema of the MySQL/MariaDB saga storage: the instances table with
 * its lease columns (InnoDB, utf8mb4, JSON state and context). Idempotent,
 * because MySQL commits each DDL statement on its own.
 */
export class CreateMysqlSagaTables implements MigrationInterface {
  readonly name: string;

  constructor(private readonly tables: MysqlSagaTables) {
    this.name = `${tables.prefix}1764310000000_create_saga_tables`;
  }

  async up(queryRunner: QueryRunner): Promise<void> {
    const { instances, prefix } = this.tables;
    // Recovery scans unfinished sagas by lease expiry; lists go by status or by age.
    await queryRunner.query(`
      CREATE TABLE IF NOT EXISTS ${instances} (
        id               VARCHAR(191) NOT NULL PRIMARY KEY,
        saga_name        VARCHAR(255) NOT NULL,
        status           VARCHAR(32) NOT NULL,
        state            JSON NOT NULL,
        context          JSON NOT NULL,
        created_at       DATETIME(3) NOT NULL DEFAULT (UTC_TIMESTAMP(3)),
        updated_at       DATETIME(3) NOT NULL DEFAULT (UTC_TIMESTAMP(3)),
        lease_owner      VARCHAR(255) NULL,
        lease_expires_at DATETIME(3) NULL,
        fencing_token    BIGINT NOT NULL DEFAULT 1,
        KEY \`${prefix}instances_unfinished_idx\` (status, lease_expires_at),
        KEY \`${prefix}instances_status_idx\` (status, created_at),
        KEY \`${prefix}instances_created_idx\` (created_at)
      ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE IF EXISTS ${this.tables.instances}`);
  }
}
