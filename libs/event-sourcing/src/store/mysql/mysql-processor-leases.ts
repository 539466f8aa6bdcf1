import type { ResultSetHeader, RowDataPacket } from 'mysql2';
import type { ProcessorLease, ProcessorLeaseOwner } from '../processor-store';
import type { MysqlConnection } from './mysql-connection';
import { mapMysqlError } from './mysql-error-mapper';
import { fromUtcText, matchedRows, utcText } from './mysql-sql';
import type { MysqlTables } from './mysql-tables';

interface LeaseRow extends RowDataPacket {
  name: string;
  owner: string | null;
  fencing_token: string | number;
  /** NULL until the processor's first checkpoint (or a reset). */
  checkpoint: string | number | null;
  lease_expires_at: string | null;
  expired: number | string;
}

const LEASE_COLUMNS =
  `name, owner, fencing_token, checkpoint, ${utcText('lease_expires_at')} AS lease_expires_at, ` +
  '(lease_expires_at IS NULL OR lease_expires_at < UTC_TIMESTAMP(3)) AS expired';

/** Processor leases, decided under the processor row's lock (MySQL has no UPSERT ... RETURNING). */
export class MysqlProcessorLeases {
  constructor(
    private readonly connection: MysqlConnection,
    private readonly tables: MysqlTables,
  ) {}

  async acquireLease(
    processor: string,
    owner: string,
    ttlMs: number,
  ): Promise<ProcessorLease | undefined> {
    const t = this.tables;
    try {
      return await this.connection.transaction(async (connection) => {
        // Create the row when missing and take its exclusive lock in one
        // statement (INSERT IGNORE would take a shared lock first, and two
        // racers upgrading theirs deadlock), then decide under that lock.
        await connection.query(
          `INSERT INTO ${t.processors} (name) VALUES (?) ON DUPLICATE KEY UPDATE name = name`,
          [processor],
        );
        const [rows] = await connection.query<LeaseRow[]>(
          `SELECT ${LEASE_COLUMNS} FROM ${t.processors} WHERE name = ? FOR UPDATE`,
          [processor],
        );
        const row = rows[0];
        const free = row.owner === null || row.owner === owner || Number(row.expired) === 1;
        if (!free) return undefined;
        await connection.query(
          `UPDATE ${t.processors} SET owner = ?, fencing_token = fencing_token + ?, ` +
            'lease_expires_at = UTC_TIMESTAMP(3) + INTERVAL ? MICROSECOND WHERE name = ?',
          [owner, row.owner === owner ? 0 : 1, Math.round(ttlMs * 1000), processor],
        );
        const [taken] = await connection.query<LeaseRow[]>(
          `SELECT ${LEASE_COLUMNS} FROM ${t.processors} WHERE name = ?`,
          [processor],
        );
        return toLease(taken[0]);
      });
    } catch (error) {
      throw mapMysqlError(error, 'acquiring a processor lease');
    }
  }

  async renewLease(lease: ProcessorLease, ttlMs: number): Promise<ProcessorLease | undefined> {
    const t = this.tables;
    try {
      return await this.connection.transaction(async (connection) => {
        const [result] = await connection.query<ResultSetHeader>(
          `UPDATE ${t.processors} SET lease_expires_at = UTC_TIMESTAMP(3) + INTERVAL ? MICROSECOND ` +
            'WHERE name = ? AND owner = ? AND fencing_token = ?',
          [Math.round(ttlMs * 1000), lease.processor, lease.owner, lease.fencingToken],
        );
        if (matchedRows(result) !== 1) return undefined;
        const [rows] = await connection.query<LeaseRow[]>(
          `SELECT ${LEASE_COLUMNS} FROM ${t.processors} WHERE name = ?`,
          [lease.processor],
        );
        return toLease(rows[0]);
      });
    } catch (error) {
      throw mapMysqlError(error, 'renewing a processor lease');
    }
  }

  async readLease(processor: string): Promise<ProcessorLeaseOwner | undefined> {
    const rows = await this.connection.query<LeaseRow[]>(
      'reading a processor lease',
      `SELECT ${LEASE_COLUMNS} FROM ${this.tables.processors} WHERE name = ?`,
      [processor],
    );
    const row = rows[0];
    if (row === undefined || row.owner === null || Number(row.expired) === 1) return undefined;
    return { owner: row.owner, expiresAt: fromUtcText(row.lease_expires_at ?? '') };
  }

  async releaseLease(lease: ProcessorLease): Promise<void> {
    await this.connection.query(
      'releasing a processor lease',
      `UPDATE ${this.tables.processors} SET owner = NULL, lease_expires_at = NULL ` +
        'WHERE name = ? AND owner = ? AND fencing_token = ?',
      [lease.processor, lease.owner, lease.fencingToken],
    );
  }
}

function toLease(row: LeaseRow): ProcessorLease {
  return {
    processor: row.name,
    owner: row.owner ?? '',
    fencingToken: Number(row.fencing_token),
    checkpoint: Number(row.checkpoint ?? 0),
    hasCheckpoint: row.checkpoint !== null,
    expiresAt: fromUtcText(row.lease_expires_at ?? '1970-01-01T00:00:00.000Z'),
  };
}
