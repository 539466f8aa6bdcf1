import type { MigrationInterface, QueryRunner } from 'typeorm';
import type { PostgresTables } from '../postgres-tables';
import { appendFunctionSql } from './append-events-function.sql';
import { eventsVersionAppendFunctionsSql } from './events-version-append-functions.sql';
import { fastAppendFunctionSql } from './fast-append-function.sql';
import { packedAppendFunctionSql } from './packed-append-function.sql';

/**
 * Appends without stream rows: a stream's version is the highest version of
 * its events, and the unique `(stream_id, version)` index serialises its
 * writers, so the usual append is one plain `INSERT`. The `streams` table
 * becomes a view over the events (instances of earlier versions read a
 * stream's version from it, and now get the true one: stored rows are not
 * trusted), and the three append functions are redefined to decide from the
 * events table, under their old names, so earlier instances still calling
 * them keep contiguous versions during a rolling deploy.
 */
export class DropStreamRows1796700000000 implements MigrationInterface {
  readonly name = 'DropStreamRows1796700000000';

  constructor(private readonly tables: PostgresTables) {}

  async up(queryRunner: QueryRunner): Promise<void> {
    const t = this.tables;
    await queryRunner.query(`DROP TABLE ${t.streams}`);
    await queryRunner.query(
      `CREATE VIEW ${t.streams} AS SELECT stream_id, max(version) AS version ` +
        `FROM ${t.events} GROUP BY stream_id`,
    );
    for (const sql of eventsVersionAppendFunctionsSql(t)) await queryRunner.query(sql);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    const t = this.tables;
    await queryRunner.query(`DROP VIEW ${t.streams}`);
    await queryRunner.query(`
      CREATE TABLE ${t.streams} (
        stream_id text PRIMARY KEY,
        version bigint NOT NULL DEFAULT 0
      )`);
    await queryRunner.query(
      `INSERT INTO ${t.streams} (stream_id, version) ` +
        `SELECT stream_id, max(version) FROM ${t.events} GROUP BY stream_id`,
    );
    await queryRunner.query(appendFunctionSql(t));
    await queryRunner.query(fastAppendFunctionSql(t));
    await queryRunner.query(packedAppendFunctionSql(t));
  }
}
