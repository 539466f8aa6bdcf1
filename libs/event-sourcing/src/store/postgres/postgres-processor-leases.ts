import type { ProcessorLease, ProcessorLeaseOwner } from '../processor-store';
import type { PostgresConnection } from './postgres-connection';
import type { PostgresTables } from './postgres-tables';

interface LeaseRow {
  name: string;
  owner: string;
  fencing_token: string;
  /** NULL until the processor's first checkpoint (or a reset). */
  checkpoint: string | null;
  lease_expires_at: Date;
}

const LEASE_COLUMNS = 'name, owner, fencing_token, checkpoint, lease_expires_at';

/** Processor leases, each taken, renewed and given up in one statement. */
export class PostgresProcessorLeases {
  constructor(
    private readonly connection: PostgresConnection,
    private readonly tables: PostgresTables,
  ) {}

  async acquireLease(
    processor: string,
    owner: string,
    ttlMs: number,
  ): Promise<ProcessorLease | undefined> {
    const { key, processors } = this.tables;
    // Insert-if-missing, else take it when free, expired or already ours; a
    // takeover by another owner increments the fencing token.
    const result = await this.connection.query<LeaseRow>('acquiring a processor lease', {
      name: `cello_acquire_lease_${key}`,
      text:
        `INSERT INTO ${processors} AS p (name, owner, fencing_token, lease_expires_at) ` +
        "VALUES ($1, $2, 1, now() + $3 * interval '1 millisecond') " +
        'ON CONFLICT (name) DO UPDATE SET owner = EXCLUDED.owner, ' +
        'fencing_token = CASE WHEN p.owner = EXCLUDED.owner THEN p.fencing_token ELSE p.fencing_token + 1 END, ' +
        'lease_expires_at = EXCLUDED.lease_expires_at ' +
        'WHERE p.owner IS NULL OR p.owner = EXCLUDED.owner OR p.lease_expires_at IS NULL ' +
        `OR p.lease_expires_at < now() RETURNING ${LEASE_COLUMNS}`,
      values: [processor, owner, ttlMs],
    });
    return result.rows[0] && toLease(result.rows[0]);
  }

  async renewLease(lease: ProcessorLease, ttlMs: number): Promise<ProcessorLease | undefined> {
    const result = await this.connection.query<LeaseRow>('renewing a processor lease', {
      name: `cello_renew_lease_${this.tables.key}`,
      text:
        `UPDATE ${this.tables.processors} SET lease_expires_at = now() + $4 * interval '1 millisecond' ` +
        `WHERE name = $1 AND owner = $2 AND fencing_token = $3 RETURNING ${LEASE_COLUMNS}`,
      values: [lease.processor, lease.owner, lease.fencingToken, ttlMs],
    });
    return result.rows[0] && toLease(result.rows[0]);
  }

  async readLease(processor: string): Promise<ProcessorLeaseOwner | undefined> {
    const result = await this.connection.query<{ owner: string; lease_expires_at: Date }>(
      'reading a processor lease',
      {
        name: `cello_read_lease_${this.tables.key}`,
        text:
          `SELECT owner, lease_expires_at FROM ${this.tables.processors} ` +
          'WHERE name = $1 AND owner IS NOT NULL AND lease_expires_at >= now()',
        values: [processor],
      },
    );
    const row = result.rows[0];
    return row && { owner: row.owner, expiresAt: row.lease_expires_at };
  }

  async releaseLease(lease: ProcessorLease): Promise<void> {
    await this.connection.query('releasing a processor lease', {
      name: `cello_release_lease_${this.tables.key}`,
      text:
        `UPDATE ${this.tables.processors} SET owner = NULL, lease_expires_at = NULL ` +
        'WHERE name = $1 AND owner = $2 AND fencing_token = $3',
      values: [lease.processor, lease.owner, lease.fencingToken],
    });
  }
}

function toLease(row: LeaseRow): ProcessorLease {
  return {
    processor: row.name,
    owner: row.owner,
    fencingToken: Number(row.fencing_token),
    checkpoint: Number(row.checkpoint ?? 0),
    hasCheckpoint: row.checkpoint !== null,
    expiresAt: row.lease_expires_at,
  };
}
