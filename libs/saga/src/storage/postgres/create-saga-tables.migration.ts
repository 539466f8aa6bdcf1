import type { MigrationInterface, QueryRunner } from 'typeorm';
import type { SagaTables } from './saga-tables';

/**
 * First schema of the saga storage: the instances table with its lease
 * columns. Shipped as a TypeORM migration (never `synchronize`).
 */
export class CreateSagaTables implements MigrationInterface {
  readonly name: string;

  constructor(private readonly tables: SagaTables) {
    this.name = `${tables.prefix}1764300000000_create_saga_tables`;
  }

  async up(queryRunner: QueryRunner): Promise<void> {
    const { instances, prefix, schema } = this.tables;
    await queryRunner.query(`
      CREATE TABLE ${instances} (
        id               text PRIMARY KEY,
        saga_name        text NOT NULL,
        status           text NOT NULL,
        state            jsonb NOT NULL,
        context          jsonb NOT NULL,
        created_at       timestamptz NOT NULL DEFAULT now(),
        updated_at       timestamptz NOT NULL DEFAULT now(),
        lease_owner      text,
        lease_expires_at timestamptz,
        fencing_token    bigint NOT NULL DEFAULT 1
      )`);
    // Recovery scans only unfinished sagas, oldest lease first.
    await queryRunner.query(
      `CREATE INDEX "${prefix}instances_unfinished_idx" ON ${instances} (lease_expires_at)
       WHERE status IN ('running', 'compensating')`,
    );
    await queryRunner.query(
      `CREATE INDEX "${prefix}instances_status_idx" ON ${instances} (status, created_at DESC)`,
    );
    await queryRunner.query(
      `CREATE INDEX "${prefix}instances_created_idx" ON ${instances} (created_at DESC)`,
    );
    void schema;
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE IF EXISTS ${this.tables.instances}`);
  }
}
