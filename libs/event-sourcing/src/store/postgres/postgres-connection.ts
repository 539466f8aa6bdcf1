import type { Pool, QueryConfig, QueryResult, QueryResultRow } from 'pg';
import type { DataSource, EntityManager } from 'typeorm';
import { SqlConnection } from '../sql/sql-connection';
import { PostgresHeldClient } from './postgres-held-client';
import { migrateEventStore } from './migrations/event-store-migrator';
import type { TransactionConflictReason } from '../../errors/transaction-conflict.error';
import { mapStorageError, postgresConflictReason } from './postgres-error-mapper';
import type { PostgresTables } from './postgres-tables';

/** What a pg client tells of its transaction (pg ≥ 8.19). */
interface TransactionStatusSource {
  readonly readyForQuery: boolean;
  readonly connection: import('node:events').EventEmitter;
  getTransactionStatus?(): string | null;
}

/** The PostgreSQL event storage's pg pool (the DataSource's own), and its two query helpers. */
export class PostgresConnection extends SqlConnection<Pool> {
  constructor(
    dataSource: DataSource,
    ownsDataSource: boolean,
    private readonly tables: PostgresTables,
    private readonly statementTimeoutMs: number,
  ) {
    super(dataSource, ownsDataSource, 'PostgreSQL');
  }

  /** Runs one statement; a lost connection or a timeout becomes `EventStoreUnavailableError`. */
  async query<R extends QueryResultRow = QueryResultRow>(
    during: string,
    config: QueryConfig,
  ): Promise<QueryResult<R>> {
    try {
      return await this.rawQuery<R>(config);
    } catch (error) {
      throw mapStorageError(error, during);
    }
  }

  /** Runs one statement on the pool, with a client-side timeout as a last resort. */
  rawQuery<R extends QueryResultRow>(config: QueryConfig): Promise<QueryResult<R>> {
    if (!this.connected) return Promise.reject(this.unavailable());
    const withTimeout = config as QueryConfig & { query_timeout?: number };
    withTimeout.query_timeout ??= this.statementTimeoutMs + 2000;
    return this.pool.query<R>(withTimeout);
  }

  private readonly held = new PostgresHeldClient();

  /**
   * Runs an append statement on the client held between appends (see
   * PostgresHeldClient), with the same client-side timeout as `rawQuery`.
   */
  appendQuery<R extends QueryResultRow>(config: QueryConfig): Promise<QueryResult<R>> {
    if (!this.connected) return Promise.reject(this.unavailable());
    const withTimeout = config as QueryConfig & { query_timeout?: number };
    withTimeout.query_timeout ??= this.statementTimeoutMs + 2000;
    return this.held.query<R>(this.pool, withTimeout);
  }

  override detach(): void {
    this.held.release();
    super.detach();
  }

  ping(timeoutMs: number): Promise<unknown> {
    return this.query('ping', { text: 'SELECT 1', query_timeout: timeoutMs } as QueryConfig);
  }

  mapError(error: unknown, during: string): unknown {
    return mapStorageError(error, during);
  }

  /**
   * pg reports the server's transaction status of each connection: 'E' is a
   * failed transaction. A failed statement's promise rejects on the error
   * message, before the server's ready-for-query that carries the status, so
   * wait for that message when one is due.
   */
  override async isTransactionAborted(manager: EntityManager): Promise<boolean> {
    const client = (
      manager.queryRunner as { databaseConnection?: TransactionStatusSource } | undefined
    )?.databaseConnection;
    if (client?.getTransactionStatus === undefined) return false;
    if (client.readyForQuery === false) {
      await new Promise<void>((resolve) => {
        const settle = (): void => {
          client.connection.off('readyForQuery', settle).off('end', settle);
          resolve();
        };
        client.connection.on('readyForQuery', settle).on('end', settle);
      });
    }
    return client.getTransactionStatus() === 'E';
  }

  protected conflictReason(error: unknown): TransactionConflictReason | undefined {
    return postgresConflictReason(error);
  }

  protected async migrate(): Promise<void> {
    await migrateEventStore(this.dataSource, this.tables);
  }

  protected takePool(): Pool | undefined {
    return (this.dataSource.driver as unknown as { master?: Pool }).master;
  }
}
