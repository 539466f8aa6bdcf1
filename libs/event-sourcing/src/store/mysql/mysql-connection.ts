import type { Pool as CallbackPool, ResultSetHeader, RowDataPacket } from 'mysql2';
import type { Pool, PoolConnection } from 'mysql2/promise';
import type { DataSource } from 'typeorm';
import { SqlConnection } from '../sql/sql-connection';
import { migrateMysqlEventStore } from './migrations/event-store-migrator';
import type { TransactionConflictReason } from '../../errors/transaction-conflict.error';
import {
  isMysqlUnavailable,
  isRetryableConflict,
  mapMysqlError,
  mysqlConflictReason,
} from './mysql-error-mapper';
import type { MysqlTables } from './mysql-tables';

/** Attempts of a transaction that lost a deadlock or timed out waiting for a lock. */
const TRANSACTION_ATTEMPTS = 5;

/** The MySQL event storage's mysql2 pool (the DataSource's own), its queries and transactions. */
export class MysqlConnection extends SqlConnection<Pool> {
  constructor(
    dataSource: DataSource,
    ownsDataSource: boolean,
    private readonly tables: MysqlTables,
  ) {
    super(dataSource, ownsDataSource, 'MySQL');
  }

  /** Runs one statement; a lost connection or a timeout becomes `EventStoreUnavailableError`. */
  async query<R extends RowDataPacket[] | ResultSetHeader = RowDataPacket[]>(
    during: string,
    sql: string,
    values: unknown[],
  ): Promise<R> {
    try {
      const [result] = await this.pool.query<R>(sql, values);
      return result;
    } catch (error) {
      throw mapMysqlError(error, during);
    }
  }

  /**
   * Runs `work` in a transaction on one pooled connection, again when it lost
   * a deadlock or a lock wait (nothing of it was kept). A connection that
   * failed is destroyed rather than returned to the pool.
   */
  async transaction<T>(work: (connection: PoolConnection) => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      const connection = await this.pool.getConnection();
      let broken = false;
      try {
        await connection.query('START TRANSACTION');
        const result = await work(connection);
        await connection.query('COMMIT');
        return result;
      } catch (error) {
        broken = isMysqlUnavailable(error);
        if (!broken) await connection.query('ROLLBACK').catch(() => (broken = true));
        if (broken || !isRetryableConflict(error) || attempt >= TRANSACTION_ATTEMPTS) throw error;
      } finally {
        if (broken) connection.destroy();
        else connection.release();
      }
      // Lost a deadlock: step back a little, at random, so racers do not collide again.
      await sleep(Math.random() * 5 * attempt);
    }
  }

  ping(): Promise<unknown> {
    return this.query('ping', 'SELECT 1', []);
  }

  mapError(error: unknown, during: string): unknown {
    return mapMysqlError(error, during);
  }

  protected conflictReason(error: unknown): TransactionConflictReason | undefined {
    return mysqlConflictReason(error);
  }

  protected async migrate(): Promise<void> {
    await migrateMysqlEventStore(this.dataSource, this.tables);
  }

  protected takePool(): Pool | undefined {
    return (this.dataSource.driver as unknown as { pool?: CallbackPool }).pool?.promise();
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
