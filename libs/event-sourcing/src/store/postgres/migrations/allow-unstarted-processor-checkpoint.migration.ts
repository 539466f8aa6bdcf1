import type { MigrationInterface, QueryRunner } from 'typeorm';
import type { PostgresTables } from '../postgres-tables';

/**
 * Lets a processor's checkpoint be NULL: "never checkpointed", told apart from
 * 0, "reset to the beginning". Only the first holder of a processor applies
 * its `startFrom`; a rebuild (a reset to 0) replays from the beginning. Rows of
 * older versions keep their value: a stored 0 then counts as started, as a
 * reset does. Instances of the previous version read NULL as 0, as before.
 */
export class AllowUnstartedProcessorCheckpoint1796610700000 implements MigrationInterface {
  readonly name = 'AllowUnstartedProcessorCheckpoint1796610700000';

  constructor(private readonly tables: PostgresTables) {}

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `ALTER TABLE ${this.tables.processors} ALTER COLUMN checkpoint DROP NOT NULL, ` +
        'ALTER COLUMN checkpoint DROP DEFAULT',
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    const t = this.tables.processors;
    await queryRunner.query(`UPDATE ${t} SET checkpoint = 0 WHERE checkpoint IS NULL`);
    await queryRunner.query(
      `ALTER TABLE ${t} ALTER COLUMN checkpoint SET DEFAULT 0, ALTER COLUMN checkpoint SET NOT NULL`,
    );
  }
}
