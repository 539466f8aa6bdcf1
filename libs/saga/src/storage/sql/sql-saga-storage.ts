import { isCelloError } from '@cello/core';
import type { DataSource } from 'typeorm';
import { SagaInvalidInputError } from '../../errors/saga-invalid-input.error';
import type {
  SagaClaimer,
  SagaHeartbeat,
  SagaListQuery,
  SagaRecord,
  SagaStorage,
  SagaWrite,
} from '../saga-storage';
import type { SqlSagaStorageParts } from './open-sql-saga-storage';
import type { SagaCreate, SqlSagaOperations } from './sql-saga-operations';
import { WriteCoalescer } from './write-coalescer';

type Args<K extends keyof SagaStorage> = Parameters<SagaStorage[K]>;

/**
 * The shell the PostgreSQL and MySQL saga storages share: group commit of
 * concurrent sagas' writes (a refused batch is written again item by item, so
 * only the bad write's caller gets the error), the operations of its backend,
 * and closing the DataSource it owns.
 */
export abstract class SqlSagaStorage implements SagaStorage {
  private readonly creates: WriteCoalescer<SagaCreate, boolean>;
  private readonly saves: WriteCoalescer<SagaWrite, boolean>;

  private readonly operations: SqlSagaOperations;
  protected readonly dataSource: DataSource;
  private readonly ownsDataSource: boolean;

  protected constructor({
    operations,
    dataSource,
    ownsDataSource,
    coalesceWrites,
  }: SqlSagaStorageParts) {
    this.operations = operations;
    this.dataSource = dataSource;
    this.ownsDataSource = ownsDataSource;
    // Without coalescing: one statement per write, as many in flight as connections.
    const [maxBatch, maxInFlight] = coalesceWrites ? [256, 2] : [1, 64];
    // One refused value fails the whole statement: its neighbours are written again alone.
    const retryAlone = (error: unknown) => isCelloError(error, SagaInvalidInputError.code);
    this.creates = new WriteCoalescer(
      (items) => operations.createBatch(items),
      maxBatch,
      maxInFlight,
      retryAlone,
    );
    this.saves = new WriteCoalescer(
      (items) => operations.saveBatch(items),
      maxBatch,
      maxInFlight,
      retryAlone,
    );
  }

  create(write: SagaCreate): Promise<boolean> {
    return this.creates.submit(write);
  }

  save(write: SagaWrite): Promise<boolean> {
    return this.saves.submit(write);
  }

  load(...args: Args<'load'>): Promise<SagaRecord | undefined> {
    return this.operations.load(...args);
  }

  list(query: SagaListQuery = {}): Promise<SagaRecord[]> {
    return this.operations.list(query);
  }

  claimAbandoned(
    owner: string,
    leaseTtlMs: number,
    limit: number,
    claimer: SagaClaimer = {},
  ): Promise<SagaRecord[]> {
    return this.operations.claimAbandoned(owner, leaseTtlMs, limit, claimer);
  }

  claim(...args: Args<'claim'>): Promise<SagaRecord | undefined> {
    return this.operations.claim(...args);
  }

  quarantine(...args: Args<'quarantine'>): Promise<boolean> {
    return this.operations.quarantine(...args);
  }

  heartbeat(...args: Args<'heartbeat'>): Promise<SagaHeartbeat> {
    return this.operations.heartbeat(...args);
  }

  retireIncarnation(...args: Args<'retireIncarnation'>): Promise<void> {
    return this.operations.retireIncarnation(...args);
  }

  renewLeases(...args: Args<'renewLeases'>): Promise<string[]> {
    const [, leases] = args;
    if (leases.size === 0) return Promise.resolve([]);
    return this.operations.renewLeases(...args);
  }

  ping(): Promise<void> {
    return this.operations.ping();
  }

  async close(): Promise<void> {
    if (this.ownsDataSource && this.dataSource.isInitialized) await this.dataSource.destroy();
  }
}
