/**
 * What every part of a storage has, whichever parts (event log, snapshots,
 * processors) it implements: it is opened once, can be pinged and is closed.
 */
export interface StorageLifecycle {
  /** Creates or migrates what the backend needs (tables, indexes). Idempotent. */
  init(): Promise<void>;

  /** Reaches the storage (a query with a short timeout); throws when it cannot. */
  ping(): Promise<void>;

  /** Releases connections and timers. */
  close(): Promise<void>;
}
