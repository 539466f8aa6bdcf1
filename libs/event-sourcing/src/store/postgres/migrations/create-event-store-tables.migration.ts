import type { MigrationInterface, QueryRunner } from 'typeorm';
import type { PostgresTables } from '../postgres-tables';
import { appendFunctionSql } from './append-events-function.sql';

/**
 * First schema of the PostgreSQL event store: streams, events, snapshots,
 * processors (leases and checkpoints), parked events and the append function.
 * Names come from the store's `schema` and `tablePrefix`.
 */
export class CreateEventStoreTables1764300000000 implements MigrationInterface {
  readonly name = 'CreateEventStoreTables1764300000000';

  constructor(private readonly tables: PostgresTables) {}

  async up(queryRunner: QueryRunner): Promise<void> {
    const t = this.tables;
    await queryRunner.query(`
      CREATE TABLE ${t.streams} (
        stream_id text PRIMARY KEY,
        version bigint NOT NULL DEFAULT 0
      )`);
    // position: handed out at insert, not at commit (see GlobalLogReader for the gap-free read).
    await queryRunner.query(`
      CREATE TABLE ${t.events} (
        position bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        stream_id text NOT NULL,
        version bigint NOT NULL,
        event_id uuid NOT NULL,
        type text NOT NULL,
        schema_version integer NOT NULL,
        data jsonb NOT NULL,
        metadata jsonb NOT NULL DEFAULT '{}',
        recorded_at timestamptz NOT NULL DEFAULT now(),
        transaction_id xid8 NOT NULL DEFAULT pg_current_xact_id(),
        CONSTRAINT ${t.local('events_event_id_key')} UNIQUE (event_id),
        CONSTRAINT ${t.local('events_stream_version_key')} UNIQUE (stream_id, version),
        CONSTRAINT ${t.local('events_version_check')} CHECK (version > 0)
      )`);
    // Stream reads use the (stream_id, version) unique index, global reads the primary key;
    // no other index, so that each insert maintains only three.
    await queryRunner.query(`
      CREATE TABLE ${t.snapshots} (
        stream_id text NOT NULL,
        aggregate_type text NOT NULL,
        version bigint NOT NULL,
        schema_version integer NOT NULL,
        state bytea NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (stream_id, aggregate_type)
      )`);
    await queryRunner.query(`
      CREATE TABLE ${t.processors} (
        name text PRIMARY KEY,
        checkpoint bigint NOT NULL DEFAULT 0,
        owner text,
        fencing_token bigint NOT NULL DEFAULT 0,
        lease_expires_at timestamptz
      )`);
    await queryRunner.query(`
      CREATE TABLE ${t.parked} (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        processor text NOT NULL,
        position bigint NOT NULL,
        event_id uuid NOT NULL,
        stream_id text NOT NULL,
        type text NOT NULL,
        error text NOT NULL,
        attempts integer NOT NULL,
        parked_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT ${t.local('parked_events_processor_position_key')} UNIQUE (processor, position)
      )`);
    await queryRunner.query(appendFunctionSql(t));
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    const t = this.tables;
    await queryRunner.query(`DROP FUNCTION IF EXISTS ${t.appendFunction}`);
    for (const table of [t.parked, t.processors, t.snapshots, t.events, t.streams]) {
      await queryRunner.query(`DROP TABLE IF EXISTS ${table}`);
    }
  }
}
