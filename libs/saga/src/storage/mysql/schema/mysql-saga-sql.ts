import { isMysqlInvalidInput } from '@cello/core/internal';
import type { Pool, PoolConnection } from 'mysql2/promise';
import { toSagaStorageError } from '../../sql/saga-storage-error';
import type { MysqlSagaTables } from '../mysql-saga-tables';

/** Attempts of a transaction that lost a deadlock or timed out waiting for a lock. */
const TRANSACTION_ATTEMPTS = 5;

/** What each MySQL saga operation runs on: the table names, single statements and transactions. */
export class MysqlSagaSql {
  constructor(
    readonly tables: MysqlSagaTables,
    private readonly pool: Pool,
    /** `FOR UPDATE SKIP LOCKED` is available (MariaDB 10.6+, MySQL 8). */
    readonly skipLocked: boolean,
  ) {}

  /** One statement on a pooled connection; failures become typed saga errors. */
  async run<T>(operation: string, work: (c: Pool) => Promise<T>, sagaId?: string): Promise<T> {
    try {
      return await work(this.pool);
    } catch (error) {
      throw toSagaStorageError(operation, error, sagaId, isMysqlInvalidInput);
    }
  }

  /**
   * Runs `work` in a transaction, again when it lost a deadlock or a lock wait.
   * `readCommitted` avoids InnoDB's gap locks for scans that would otherwise
   * hold up inserts of new sagas.
   */
  async transaction<T>(
    operation: string,
    work: (c: PoolConnection) => Promise<T>,
    readCommitted = false,
    sagaId?: string,
  ): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      let connection: PoolConnection | undefined;
      try {
        connection = await this.pool.getConnection();
        if (readCommitted) {
          await connection.query('SET TRANSACTION ISOLATION LEVEL READ COMMITTED');
        }
        await connection.query('START TRANSACTION');
        const result = await work(connection);
        await connection.query('COMMIT');
        connection.release();
        return result;
      } catch (error) {
        if (connection) {
          const rolledBack = await connection.query('ROLLBACK').then(
            () => true,
            () => false,
          );
          if (rolledBack) connection.release();
          else connection.destroy();
        }
        const errno = (error as { errno?: number }).errno;
        if ((errno === 1213 || errno === 1205) && attempt < TRANSACTION_ATTEMPTS) {
          await new Promise((resolve) => setTimeout(resolve, Math.random() * 5 * attempt));
          continue;
        }
        throw toSagaStorageError(operation, error, sagaId, isMysqlInvalidInput);
      }
    }
  }
}

/** `?, ?, ?` for a list of values. */
export function placeholders(values: readonly unknown[]): string {
  return values.map(() => '?').join(', ');
}

/** Milliseconds as the microseconds of a MySQL `INTERVAL ? MICROSECOND`. */
export function micros(ms: number): number {
  return Math.round(ms * 1000);
}
