/**
 * What a subscriber's processor is doing in this instance:
 * - `running`: holds the lease and feeds the subscriber;
 * - `standby`: another instance holds the lease (or it is being taken);
 * - `stopped`: not started, or stopped by `stop()`;
 * - `failed`: stopped on an event that kept failing (`onFailure: 'stop'`).
 */
export type SubscriptionState = 'running' | 'standby' | 'stopped' | 'failed';

/** One subscriber's progress, from `SubscriptionManager.status()`. */
export interface SubscriptionStatus {
  readonly name: string;
  /**
   * `async`: fed from the log after the commit; `inline`: run inside each
   * append's transaction (`@EventSubscriber({ inline: true })`), never behind
   * while it runs inline (its `checkpoint` is then the head).
   */
  readonly mode: 'async' | 'inline';
  readonly state: SubscriptionState;
  /** The last global position this subscriber finished, as known here. */
  readonly checkpoint: number;
  /** The log's head position now. */
  readonly headPosition: number;
  /** Events between the checkpoint and the head (`headPosition - checkpoint`). */
  readonly lag: number;
  /**
   * The instance id holding the subscriber's live lease: this instance's while
   * `running`, another's while `standby` (as the storage reads it; absent when
   * the lease is free, or the storage cannot read leases).
   */
  readonly leaseHolder?: string;
  /** The last error met (handler or storage), if any since start. */
  readonly lastError?: string;
  /**
   * Set while this instance retries what the subscriber is stuck on (an event or
   * batch whose handler fails, or the unreachable storage): since when, and the
   * failed attempts. Its checkpoint (and `lag`) does not move meanwhile.
   */
  readonly retrying?: { readonly since: Date; readonly attempts: number };
  /**
   * Inline only: true while a rebuild replays the log into it. Appends skip it
   * meanwhile; `checkpoint` is how far the rebuild got. It is `failed` when the
   * rebuild failed, until a rebuild succeeds.
   */
  readonly rebuilding?: boolean;
}
