import type { ProcessorLease } from '../processor-store';
import type { PostgresConnection } from './postgres-connection';
import type { PostgresTables } from './postgres-tables';

/** Processor checkpoints: written under the lease's fencing token, read and reset by anyone. */
export class PostgresProcessorCheckpoints {
  constructor(
    private readonly connection: PostgresConnection,
    private readonly tables: PostgresTables,
  ) {}

  async storeCheckpoint(lease: ProcessorLease, position: number): Promise<boolean> {
    const result = await this.connection.query('storing a checkpoint', {
      name: `cello_store_checkpoint_${this.tables.key}`,
      text:
        `UPDATE ${this.tables.processors} SET checkpoint = $4 ` +
        'WHERE name = $1 AND owner = $2 AND fencing_token = $3',
      values: [lease.processor, lease.owner, lease.fencingToken, position],
    });
    return result.rowCount === 1;
  }

  async readCheckpoint(processor: string): Promise<number> {
    const { rows } = await this.connection.query<{ checkpoint: string | null }>(
      'reading a checkpoint',
      {
        name: `cello_read_checkpoint_${this.tables.key}`,
        text: `SELECT checkpoint FROM ${this.tables.processors} WHERE name = $1`,
        values: [processor],
      },
    );
    return rows.length === 0 ? 0 : Number(rows[0].checkpoint ?? 0);
  }

  async resetCheckpoint(processor: string, position: number): Promise<void> {
    // Bumping the fencing token revokes a running holder: its next checkpoint
    // or renewal fails, and it takes the lease again, from the new checkpoint.
    await this.connection.query('resetting a checkpoint', {
      name: `cello_reset_checkpoint_${this.tables.key}`,
      text:
        `INSERT INTO ${this.tables.processors} AS p (name, checkpoint) VALUES ($1, $2) ` +
        'ON CONFLICT (name) DO UPDATE SET checkpoint = EXCLUDED.checkpoint, ' +
        'fencing_token = p.fencing_token + 1',
      values: [processor, position],
    });
  }
}
