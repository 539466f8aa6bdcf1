import type { MigrationInterface, QueryRunner } from 'typeorm';
import type { PostgresTables } from '../postgres-tables';
import { packedAppendFunctionSql } from './packed-append-function.sql';

/**
 * Adds the packed append function (`append_events_packed`), which the storage
 * now calls for every append. The earlier functions stay, unchanged: the packed
 * one falls back to `append_events`, and instances still running the previous
 * version keep calling `append_events_fast` during a rolling deploy.
 */
export class AddPackedAppendFunction1795848000000 implements MigrationInterface {
  readonly name = 'AddPackedAppendFunction1795848000000';

  constructor(private readonly tables: PostgresTables) {}

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(packedAppendFunctionSql(this.tables));
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP FUNCTION IF EXISTS ${this.tables.packedAppendFunction}`);
  }
}
