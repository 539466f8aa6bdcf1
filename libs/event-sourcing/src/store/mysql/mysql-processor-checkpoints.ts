import type { ResultSetHeader, RowDataPacket } from 'mysql2';
import type { ProcessorLease } from '../processor-store';
import type { MysqlConnection } from './mysql-connection';
import { matchedRows } from './mysql-sql';
import type { MysqlTables } from './mysql-tables';

/** Processor checkpoints: written under the lease's fencing token, read and reset by anyone. */
export class MysqlProcessorCheckpoints {
  constructor(
    private readonly connection: MysqlConnection,
    private readonly tables: MysqlTables,
  ) {}

  async storeCheckpoint(lease: ProcessorLease, position: number): Promise<boolean> {
    const result = await this.connection.query<ResultSetHeader>(
      'storing a checkpoint',
      `UPDATE ${this.tables.processors} SET checkpoint = ? ` +
        'WHERE name = ? AND owner = ? AND fencing_token = ?',
      [position, lease.processor, lease.owner, lease.fencingToken],
    );
    return matchedRows(result) === 1;
  }

  async readCheckpoint(processor: string): Promise<number> {
    const rows = await this.connection.query<RowDataPacket[]>(
      'reading a checkpoint',
      `SELECT checkpoint FROM ${this.tables.processors} WHERE name = ?`,
      [processor],
    );
    return rows.length === 0 ? 0 : Number(rows[0].checkpoint ?? 0);
  }

  async resetCheckpoint(processor: string, position: number): Promise<void> {
    // Bumping the fencing token revokes a running holder: its next checkpoint
    // or renewal fails, and it takes the lease again, from the new checkpoint.
    await this.connection.query(
      'resetting a checkpoint',
      `INSERT INTO ${this.tables.processors} (name, checkpoint) VALUES (?, ?) ` +
        'ON DUPLICATE KEY UPDATE checkpoint = VALUES(checkpoint), fencing_token = fencing_token + 1',
      [processor, position],
    );
  }
}
