import type { MigrationInterface, QueryRunner } from 'typeorm';
import type { MysqlTables } from '../mysql-tables';

/**
 * Lets a processor's checkpoint be NULL: "never checkpointed", told apart from
 * 0, "reset to the beginning". Only the first holder of a processor applies
 * its `startFrom`; a rebuild (a reset to 0) replays from the beginning. Rows of
 * older versions keep their value. MODIFY is idempotent, so a start-up
 * interrupted here completes on the next one.
 */
export class AllowUnstartedMysqlProcessorCheckpoint1796610700000 implements MigrationInterface {
  readonly name = 'AllowUnstartedMysqlProcessorCheckpoint1796610700000';

  constructor(private readonly tables: MysqlTables) {}

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `ALTER TABLE ${this.tables.processors} MODIFY checkpoint BIGINT NULL DEFAULT NULL`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    const t = this.tables.processors;
    await queryRunner.query(`UPDATE ${t} SET checkpoint = 0 WHERE checkpoint IS NULL`);
    await queryRunner.query(`ALTER TABLE ${t} MODIFY checkpoint BIGINT NOT NULL DEFAULT 0`);
  }
}
