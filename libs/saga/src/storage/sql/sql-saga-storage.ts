import { isCelloError } from '@cello/core';
import type { DataSource } from 'typeorm';
import { SagaInvalidInputError } from '../../errors/saga-invalid-input.error';
import type { SagaStatus } from '../../machine/saga-machine.types';
import type {
  SagaClaimer,
  SagaHeartbeat,
  SagaListQuery,
  SagaRecord,
  SagaStorage,
  SagaWrite,
} from '../saga-storage';
import type { SagaCreate, SqlSagaOperations } from './sql-saga-operations';
import { WriteCoalescer } from './write-coalescer';

/**
 * The shell the PostgreSQL and MySQL saga storages share: group commit of
 * concurrent sagas' writes (a refused batch is written again item by item, so
 * only the bad write's caller gets the error), the operations of its backend,
 * and closing the DataSource it owns.
 */
export abstract class SqlSagaStorage implements SagaStorage {
  private readonly creates: WriteCoalescer<SagaCreate, boolean>;
  private readonly saves: WriteCoalescer<SagaWrite, boolean>;

  protected constructor(
    private readonly operations: SqlSagaOperations,
    protected readonly dataSource: DataSource,
    private readonly ownsDataSource: boolean,
    coalesce: boolean,
  ) {
    // Without coalescing: one statement per write, as many in flight as connections.
    const [maxBatch, maxInFlight] = coalesce ? [256, 2] : [1, 64];
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

  load(id: string): Promise<SagaRecord | undefined> {
    return this.operations.load(id);
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

  claim(
    id: string,
    status: SagaStatus,
    owner: string,
    leaseTtlMs: number,
    incarnation?: string,
  ): Promise<SagaRecord | undefined> {
    return this.operations.claim(id, status, owner, leaseTtlMs, incarnation);
  }

  quarantine(id: string, owner: string, fencingToken: number): Promise<boolean> {
    return this.operations.quarantine(id, owner, fencingToken);
  }

  heartbeat(instanceId: string, incarnation: string, ttlMs: number): Promise<SagaHeartbeat> {
    return this.operations.heartbeat(instanceId, incarnation, ttlMs);
  }

  retireIncarnation(incarnation: string): Promise<void> {
    return this.operations.retireIncarnation(incarnation);
  }

  renewLeases(
    owner: string,
    leases: ReadonlyMap<string, number>,
    leaseTtlMs: number,
  ): Promise<string[]> {
    if (leases.size === 0) return Promise.resolve([]);
    return this.operations.renewLeases(owner, leases, leaseTtlMs);
  }

  ping(): Promise<void> {
    return this.operations.ping();
  }

  async close(): Promise<void> {
    if (this.ownsDataSource && this.dataSource.isInitialized) await this.dataSource.destroy();
  }
}
