import type { MigrationInterface, QueryRunner } from 'typeorm';
import type { PostgresTables } from '../postgres-tables';
import { fastAppendFunctionSql } from './fast-append-function.sql';

/**
 * Adds the fast append function (`append_events_fast`), which the storage
 * calls for every append; `append_events` stays, unchanged, for the unusual
 * batches and for instances still running the previous version. (It replaces
 * AddFastAppendFunction1795833600000, which checked event ids with EXISTS, a
 * plan that could scan the whole events table; CREATE OR REPLACE makes running
 * it again on a database that had that one harmless.)
 */
export class AddFastAppendFunction1795837200000 implements MigrationInterface {
  readonly name = 'AddFastAppendFunction1795837200000';

  constructor(private readonly tables: PostgresTables) {}

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(fastAppendFunctionSql(this.tables));
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP FUNCTION IF EXISTS ${this.tables.fastAppendFunction}`);
  }
}
