import type { MigrationInterface, QueryRunner } from 'typeorm';
import type { SagaTables } from './saga-tables';

/**
 * Second schema of the saga storage: the process (incarnation) holding each
 * lease, and one heartbeat row per process. A restarted instance with the
 * same `instanceId` takes its predecessor's leases only once they expired or
 * that heartbeat lapsed, and a second live process with the same
 * `instanceId` is seen by its beats. Idempotent (a table dropped by hand
 * is made again). Frozen once shipped: later changes go in a new migration.
 */
export class AddSagaIncarnations implements MigrationInterface {
  readonly name: string;

  constructor(private readonly tables: SagaTables) {
    this.name = `${tables.prefix}1765100000000_add_saga_incarnations`;
  }

  async up(queryRunner: QueryRunner): Promise<void> {
    const { instances, incarnations, prefix } = this.tables;
    await queryRunner.query(
      `ALTER TABLE ${instances} ADD COLUMN IF NOT EXISTS lease_incarnation text`,
    );
    await queryRunner.query(`
      CREATE TABLE IF NOT EXISTS ${incarnations} (
        incarnation text PRIMARY KEY,
        instance_id text NOT NULL,
        started_at  timestamptz NOT NULL DEFAULT now(),
        beats       bigint NOT NULL DEFAULT 1,
        expires_at  timestamptz NOT NULL
      )`);
    await queryRunner.query(
      `CREATE INDEX IF NOT EXISTS "${prefix}incarnations_instance_idx" ON ${incarnations} (instance_id)`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE IF EXISTS ${this.tables.incarnations}`);
    await queryRunner.query(
      `ALTER TABLE ${this.tables.instances} DROP COLUMN IF EXISTS lease_incarnation`,
    );
  }
}
