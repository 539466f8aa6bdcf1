import type { StoredEvent } from './event-log';
import type { StorageLifecycle } from './storage-lifecycle';

/**
 * The right to run a named processor (subscriber) for a while. At most one
 * holder per processor across all instances; `fencingToken` grows on every
 * takeover and guards every checkpoint write.
 */
export interface ProcessorLease {
  readonly processor: string;
  readonly owner: string;
  readonly fencingToken: number;
  /** The last global position the processor finished (0 = none). */
  readonly checkpoint: number;
  /**
   * False while the processor has never had a checkpoint (neither stored by a
   * holder nor set by `resetCheckpoint`): the one case where its `startFrom`
   * applies. A reset to 0 is a checkpoint, so a rebuild replays from the beginning.
   */
  readonly hasCheckpoint: boolean;
  readonly expiresAt: Date;
}

/** Who holds a processor's live lease, and until when (`ProcessorStore.readLease`). */
export type ProcessorLeaseOwner = Pick<ProcessorLease, 'owner' | 'expiresAt'>;

/** An event a processor gave up on after its retries, kept with the error. */
export interface ParkedEvent {
  readonly id: number;
  readonly processor: string;
  readonly position: number;
  readonly eventId: string;
  readonly streamId: string;
  readonly type: string;
  readonly error: string;
  readonly attempts: number;
  readonly parkedAt: Date;
}

/**
 * The processor part of a storage: leases with fencing tokens, checkpoints and
 * the events a processor parked.
 */
export interface ProcessorStore extends StorageLifecycle {
  /**
   * Takes the processor's lease for `owner` when it is free, expired, or
   * already `owner`'s; a takeover from another owner increments the fencing
   * token. Resolves to `undefined` when someone else holds a live lease.
   */
  acquireLease(
    processor: string,
    owner: string,
    ttlMs: number,
  ): Promise<ProcessorLease | undefined>;

  /** Extends a lease still held; `undefined` when it was taken over. */
  renewLease(lease: ProcessorLease, ttlMs: number): Promise<ProcessorLease | undefined>;

  /**
   * The live lease's owner and expiry, whoever holds it; `undefined` when the
   * lease is free, released or expired. Optional: a custom storage may lack it
   * (then the status names no holder for another instance's subscribers).
   */
  readLease?(processor: string): Promise<ProcessorLeaseOwner | undefined>;

  /** Gives a lease up so another instance can take it at once. */
  releaseLease(lease: ProcessorLease): Promise<void>;

  /**
   * Records that the lease holder finished `position`. Resolves to false, and
   * writes nothing, when the lease's fencing token is no longer current.
   */
  storeCheckpoint(lease: ProcessorLease, position: number): Promise<boolean>;

  /**
   * The processor's durable checkpoint (0 when it has none), whoever holds its
   * lease: how an instance that does not run a subscriber sees its progress.
   */
  readCheckpoint(processor: string): Promise<number>;

  /**
   * Moves a processor's checkpoint back (to rebuild it), whoever holds its lease;
   * it then counts as checkpointed (`hasCheckpoint`), also when it had none.
   * The holder's fencing token is bumped, so a running holder's next checkpoint
   * write fails and it resumes from the new checkpoint.
   */
  resetCheckpoint(processor: string, position: number): Promise<void>;

  /** Parks an event a processor failed on, with the error and the attempt count. */
  parkEvent(processor: string, event: StoredEvent, error: string, attempts: number): Promise<void>;

  /** Parked events, oldest first; all processors when none is named. */
  listParked(processor?: string): Promise<ParkedEvent[]>;

  /** Removes a parked event (after it was replayed successfully). */
  removeParked(id: number): Promise<void>;
}
