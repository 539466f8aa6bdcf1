import type { SagaStorage, SagaWrite } from '../saga-storage';

/** A new saga's first write. */
export type SagaCreate = Parameters<SagaStorage['create']>[0];

/**
 * What a SQL backend supplies to the shared shell: one statement (or
 * transaction) per member, each in its own file under `<backend>/schema/`.
 * Writes come in batches, gathered by the shell's write coalescer.
 */
export interface SqlSagaOperations extends Pick<
  SagaStorage,
  | 'load'
  | 'list'
  | 'claimAbandoned'
  | 'claim'
  | 'quarantine'
  | 'heartbeat'
  | 'retireIncarnation'
  | 'renewLeases'
  | 'ping'
> {
  /** One result per item: false when the id existed already. */
  createBatch(items: SagaCreate[]): Promise<boolean[]>;
  /** One result per item: false when the writer's lease was no longer held. */
  saveBatch(items: SagaWrite[]): Promise<boolean[]>;
}
