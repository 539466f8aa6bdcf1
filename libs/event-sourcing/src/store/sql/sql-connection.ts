import type { DataSource, EntityManager } from 'typeorm';
import { EventStoreUnavailableError } from '../../errors/event-store-unavailable.error';
import {
  TransactionConflictError,
  type TransactionConflictReason,
} from '../../errors/transaction-conflict.error';

/**
 * A SQL storage's hold on its TypeORM `DataSource` and the driver's pool:
 * connecting and migrating, the pool while connected, and letting go of it.
 * Each backend adds its own query helpers.
 */
export abstract class SqlConnection<Pool> {
  private current?: Pool;
  private closed = false;

  protected constructor(
    protected readonly dataSource: DataSource,
    private readonly ownsDataSource: boolean,
    /** Names the database in errors ("PostgreSQL", "MySQL"). */
    readonly engine: string,
  ) {}

  /** True once `connect()` succeeded, until `detach()`. */
  get connected(): boolean {
    return this.current !== undefined;
  }

  /** The driver's pool; throws `EventStoreUnavailableError` before `connect()` or after `detach()`. */
  get pool(): Pool {
    if (this.current === undefined) throw this.unavailable();
    return this.current;
  }

  /** Why there is no pool: not connected yet, or closed. */
  unavailable(): EventStoreUnavailableError {
    return new EventStoreUnavailableError(
      this.closed ? 'the storage is closed' : 'not connected yet (init() has not succeeded)',
    );
  }

  /** Initializes the DataSource when the application has not, migrates, and takes the pool. */
  async connect(): Promise<void> {
    try {
      if (!this.dataSource.isInitialized) await this.dataSource.initialize();
      await this.migrate();
    } catch (error) {
      throw this.mapError(error, 'connecting and migrating the event store');
    }
    const pool = this.takePool();
    if (pool === undefined) {
      throw new EventStoreUnavailableError(`the DataSource has no ${this.engine} pool`);
    }
    this.current = pool;
  }

  /**
   * Runs `work` in a transaction of the DataSource (the application's own SQL
   * shares it). READ COMMITTED: each append reads the stream versions
   * committed when it locks them, not a snapshot taken by an earlier statement.
   */
  inTransaction<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    if (this.current === undefined) return Promise.reject(this.unavailable());
    return this.dataSource.transaction('READ COMMITTED', work);
  }

  /** Stops handing out the pool: later queries fail as closed. */
  detach(): void {
    this.closed = true;
    this.current = undefined;
  }

  /** Destroys the DataSource when the storage made it; an application's stays open. */
  async release(): Promise<void> {
    if (this.ownsDataSource && this.dataSource.isInitialized) await this.dataSource.destroy();
  }

  /** A trivial query, bounded by `timeoutMs` where the driver can. */
  abstract ping(timeoutMs: number): Promise<unknown>;

  /** Runs the backend's shipped migrations. */
  protected abstract migrate(): Promise<void>;

  /** The driver's pool under the initialized DataSource, if it has one. */
  protected abstract takePool(): Pool | undefined;

  /** The typed error for a driver error met `during` an operation. */
  abstract mapError(error: unknown, during: string): unknown;

  /** `TransactionConflictError` when the database gave a transaction up for colliding with another. */
  toTransactionConflict(error: unknown): TransactionConflictError | undefined {
    if (error instanceof TransactionConflictError) return error;
    const reason = this.conflictReason(error);
    return reason === undefined
      ? undefined
      : new TransactionConflictError(reason, this.engine, error);
  }

  /**
   * Whether the database already aborted the open transaction of `manager`
   * (a failed statement the callback caught), so that its COMMIT would store
   * nothing. Only PostgreSQL aborts a transaction on any error.
   */
  isTransactionAborted(manager: EntityManager): Promise<boolean> {
    void manager;
    return Promise.resolve(false);
  }

  /** Why the driver's `error` rolled a transaction back (deadlock...), undefined when it did not. */
  protected abstract conflictReason(error: unknown): TransactionConflictReason | undefined;
}
