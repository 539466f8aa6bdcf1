import type { MigrationInterface, QueryRunner } from 'typeorm';
import type { MysqlTables } from '../mysql-tables';

/** InnoDB, utf8mb4 with binary collation: ids and names compare exactly, byte for byte. */
const TABLE_OPTIONS = 'ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin';

/**
 * First schema of the MySQL/MariaDB event store: streams, events, the log
 * head, snapshots, processors (leases and checkpoints) and parked events.
 * MySQL commits each DDL statement on its own, so every statement is
 * idempotent (`IF NOT EXISTS`): a start-up interrupted half-way completes on
 * the next one.
 */
export class CreateMysqlEventStoreTables1764310000000 implements MigrationInterface {
  readonly name = 'CreateMysqlEventStoreTables1764310000000';

  constructor(private readonly tables: MysqlTables) {}

  async up(queryRunner: QueryRunner): Promise<void> {
    const t = this.tables;
    // Stream ids are VARBINARY: up to 1024 bytes of UTF-8 still fit InnoDB's
    // 3072-byte index key together with the version (utf8mb4 VARCHAR would not).
    await queryRunner.query(`
      CREATE TABLE IF NOT EXISTS ${t.streams} (
        stream_id VARBINARY(1024) NOT NULL PRIMARY KEY,
        version BIGINT NOT NULL DEFAULT 0
      ) ${TABLE_OPTIONS}`);
    // position: assigned from the log head row inside the append transaction
    // (not AUTO_INCREMENT), so positions commit in order and leave no holes.
    await queryRunner.query(`
      CREATE TABLE IF NOT EXISTS ${t.events} (
        position BIGINT NOT NULL PRIMARY KEY,
        stream_id VARBINARY(1024) NOT NULL,
        version BIGINT NOT NULL,
        event_id CHAR(36) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
        type VARCHAR(255) NOT NULL,
        schema_version INT NOT NULL,
        data JSON NOT NULL,
        metadata JSON NOT NULL,
        recorded_at DATETIME(3) NOT NULL DEFAULT (UTC_TIMESTAMP(3)),
        UNIQUE KEY ${t.local('events_event_id_key')} (event_id),
        UNIQUE KEY ${t.local('events_stream_version_key')} (stream_id, version)
      ) ${TABLE_OPTIONS}`);
    await queryRunner.query(`
      CREATE TABLE IF NOT EXISTS ${t.logHead} (
        id TINYINT NOT NULL PRIMARY KEY,
        position BIGINT NOT NULL
      ) ${TABLE_OPTIONS}`);
    await queryRunner.query(`INSERT IGNORE INTO ${t.logHead} (id, position) VALUES (1, 0)`);
    await queryRunner.query(`
      CREATE TABLE IF NOT EXISTS ${t.snapshots} (
        stream_id VARBINARY(1024) NOT NULL,
        aggregate_type VARCHAR(255) NOT NULL,
        version BIGINT NOT NULL,
        schema_version INT NOT NULL,
        state LONGBLOB NOT NULL,
        created_at DATETIME(3) NOT NULL,
        PRIMARY KEY (stream_id, aggregate_type)
      ) ${TABLE_OPTIONS}`);
    await queryRunner.query(`
      CREATE TABLE IF NOT EXISTS ${t.processors} (
        name VARCHAR(255) NOT NULL PRIMARY KEY,
        checkpoint BIGINT NOT NULL DEFAULT 0,
        owner VARCHAR(255) NULL,
        fencing_token BIGINT NOT NULL DEFAULT 0,
        lease_expires_at DATETIME(3) NULL
      ) ${TABLE_OPTIONS}`);
    await queryRunner.query(`
      CREATE TABLE IF NOT EXISTS ${t.parked} (
        id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
        processor VARCHAR(255) NOT NULL,
        position BIGINT NOT NULL,
        event_id CHAR(36) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
        stream_id VARBINARY(1024) NOT NULL,
        type VARCHAR(255) NOT NULL,
        error MEDIUMTEXT NOT NULL,
        attempts INT NOT NULL,
        parked_at DATETIME(3) NOT NULL DEFAULT (UTC_TIMESTAMP(3)),
        UNIQUE KEY ${t.local('parked_events_processor_position_key')} (processor, position)
      ) ${TABLE_OPTIONS}`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    const t = this.tables;
    for (const table of [t.parked, t.processors, t.snapshots, t.logHead, t.events, t.streams]) {
      await queryRunner.query(`DROP TABLE IF EXISTS ${table}`);
    }
  }
}
