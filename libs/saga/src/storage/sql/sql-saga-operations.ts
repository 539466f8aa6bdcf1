import type { SagaStatus } from '../../machine/saga-machine.types';
import type {
  SagaClaimer,
  SagaHeartbeat,
  SagaListQuery,
  SagaRecord,
  SagaStorage,
  SagaWrite,
} from '../saga-storage';

/** A new saga's first write. */
export type SagaCreate = Parameters<SagaStorage['create']>[0];

/**
 * What a SQL backend supplies to the shared shell: one statement (or
 * transaction) per member, each in its own file under `<backend>/schema/`.
 * Writes come in batches, gathered by the shell's write coalescer.
 */
export interface SqlSagaOperations {
  /** One result per item: false when the id existed already. */
  createBatch(items: SagaCreate[]): Promise<boolean[]>;
  /** One result per item: false when the writer's lease was no longer held. */
  saveBatch(items: SagaWrite[]): Promise<boolean[]>;
  load(id: string): Promise<SagaRecord | undefined>;
  list(query: SagaListQuery): Promise<SagaRecord[]>;
  claimAbandoned(
    owner: string,
    leaseTtlMs: number,
    limit: number,
    claimer: SagaClaimer,
  ): Promise<SagaRecord[]>;
  claim(
    id: string,
    status: SagaStatus,
    owner: string,
    leaseTtlMs: number,
    incarnation?: string,
  ): Promise<SagaRecord | undefined>;
  quarantine(id: string, owner: string, fencingToken: number): Promise<boolean>;
  heartbeat(instanceId: string, incarnation: string, ttlMs: number): Promise<SagaHeartbeat>;
  retireIncarnation(incarnation: string): Promise<void>;
  renewLeases(
    owner: string,
    leases: ReadonlyMap<string, number>,
    leaseTtlMs: number,
  ): Promise<string[]>;
  ping(): Promise<void>;
}
