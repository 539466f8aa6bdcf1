/**
 * The contract every event-store backend implements (memory in Rust, PostgreSQL,
 * MySQL). The injectable `EventStore` facade does serialization, upcasting,
 * aggregates and snapshots policy on top of it; a backend only stores and
 * reads bytes and rows, with the guarantees written on each method.
 *
 * One contract test suite (`testing/event-storage-contract.ts`) runs the same
 * cases against every backend.
 */

/**
 * What the stream's version must be for an append to go through.
 * A number is the exact current version (0 = the stream has no events).
 */
export type ExpectedVersion = number | 'any' | 'no_stream' | 'stream_exists';

/** An event ready to be stored: already serialized by the facade. */
export interface EventToAppend {
  /** Unique id (UUID); appending the same ids again is a no-op (idempotent append). */
  readonly eventId: string;
  /** Stable type name from `@EventType`, not the class name. */
  readonly type: string;
  /** Schema version of `data`, for upcasting on read. */
  readonly schemaVersion: number;
  /** The event's payload as JSON text. */
  readonly data: string;
  /** Metadata (correlation id, causation id, ...) as JSON text. */
  readonly metadata: string;
}

/** What an append did. */
export interface AppendResult {
  /** The stream's version after the append: the version of its last event. */
  readonly streamVersion: number;
  /** The global position of each appended event, in order. */
  readonly positions: readonly number[];
  /**
   * True when every event id was already stored by an earlier append of the
   * same events: nothing was written, and `positions`/`streamVersion` are those
   * of the first write.
   */
  readonly duplicate: boolean;
}

/** An event as stored, read back from a stream or from the global log. */
export interface StoredEvent {
  /** Position in the global log: unique, increasing in commit-safe order. */
  readonly position: number;
  readonly streamId: string;
  /** Version within the stream: 1, 2, 3, ... with no gaps. */
  readonly version: number;
  readonly eventId: string;
  readonly type: string;
  readonly schemaVersion: number;
  /** The payload, parsed from JSON. */
  readonly data: unknown;
  /** The metadata, parsed from JSON. */
  readonly metadata: Record<string, unknown>;
  readonly recordedAt: Date;
}

/**
 * An event as `EventStore.load` replays it into an aggregate: only what that
 * needs. No metadata object and no `recordedAt` Date are built, which is most
 * of the cost of a long replay besides parsing the payloads.
 */
export interface ReplayedEvent {
  /** Position in the global log (named in errors). */
  readonly position: number;
  /** Version within the stream. */
  readonly version: number;
  readonly eventId: string;
  readonly type: string;
  readonly schemaVersion: number;
  /** The payload, parsed from JSON. */
  readonly data: unknown;
  /**
   * The value of the metadata key `$cello.dates` (the JSON paths of the
   * payload's `Date`s, written by the serializer), or undefined/null when the
   * metadata has none.
   */
  readonly datePaths?: unknown;
}

/** Options of `readStream`. */
export interface ReadStreamOptions {
  /** First version to return (inclusive). Default 1. */
  readonly fromVersion?: number;
  /** Most events to return. Backends may cap it; callers page with `fromVersion`. */
  readonly limit?: number;
}

/** Options of `EventStorage.replayStream`. */
export interface ReplayStreamOptions {
  /** First version to deliver (inclusive). Default 1. */
  readonly fromVersion?: number;
  /** Most events held in memory at once (a page). Default: the backend's own. */
  readonly pageSize?: number;
}

/** Options of `readAll`. */
export interface ReadAllOptions {
  /** First global position to return (inclusive). Default 0 (the beginning). */
  readonly fromPosition?: number;
  /** Most events to return. */
  readonly limit?: number;
}

/** Options of `EventStorage.readBackward`. */
export interface ReadBackwardOptions {
  /** Highest position to return (inclusive). */
  readonly toPosition: number;
  /** Lowest position to look at (inclusive): bounds the search. Default 1. */
  readonly fromPosition?: number;
  /** Only events of these types (an empty list matches nothing). Default: every type. */
  readonly types?: readonly string[];
  /** Most events to return. */
  readonly limit: number;
}

/** An aggregate's state at a stream version, compressed by the native core. */
export interface StoredSnapshot {
  readonly streamId: string;
  /** The aggregate's registered type name. */
  readonly aggregateType: string;
  /** The stream version the state reflects. */
  readonly version: number;
  /** Schema version of the aggregate's state; a snapshot of another version is ignored. */
  readonly schemaVersion: number;
  /** The encoded (compressed) state. */
  readonly state: Buffer;
  readonly createdAt: Date;
}

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
 * The backend contract under `EventStore`: stores serialized events, snapshots,
 * checkpoints and leases. Memory, PostgreSQL and MySQL implement it; pass your
 * own as `storage` (the `@cello/event-sourcing/testing` contract suite checks it).
 */
export interface EventStorage {
  /** Creates or migrates what the backend needs (tables, indexes). Idempotent. */
  init(): Promise<void>;

  /**
   * Appends `events` to `streamId`, all or none.
   * - Fails with `ConcurrencyError` (stream, expected, actual) and writes nothing
   *   when `expected` does not hold.
   * - Versions stay contiguous under any number of concurrent writers: enforced
   *   by the storage itself (a unique key), not only by a check in code.
   * - If every event id is already stored (a re-send after a timeout), writes
   *   nothing and resolves with the first write's positions, `duplicate: true`.
   * - `events` is never empty (the facade returns early).
   */
  append(
    streamId: string,
    events: readonly EventToAppend[],
    expected: ExpectedVersion,
  ): Promise<AppendResult>;

  /** The stream's current version, 0 when it has no events. */
  streamVersion(streamId: string): Promise<number>;

  /** Events of one stream in version order, from `fromVersion`, at most `limit`. */
  readStream(streamId: string, options?: ReadStreamOptions): Promise<StoredEvent[]>;

  /**
   * Optional fast path for `EventStore.load`: calls `onEvent` with each event
   * of `streamId` from `options.fromVersion`, in version order, as the events
   * are read, and resolves once the stream's end is reached. Holds at most
   * `options.pageSize` events at once (fewer where the backend streams rows).
   * When `onEvent` throws, no further event is delivered and the call rejects
   * with that error. Storages without it are replayed through `readStream`.
   */
  replayStream?(
    streamId: string,
    options: ReplayStreamOptions,
    onEvent: (event: ReplayedEvent) => void,
  ): Promise<void>;

  /**
   * Events of all streams in position order, from `fromPosition`.
   * Never skips: it returns only a prefix below which no lower position can
   * still appear (a transaction that took a lower position and has not
   * committed yet stops the read there). Positions given up for good (a
   * rolled-back insert) are passed over once that is certain.
   */
  readAll(options?: ReadAllOptions): Promise<StoredEvent[]>;

  /**
   * Optional, for browsing the log (the developer pages): the events from
   * `toPosition` down to `fromPosition`, newest first, at most `limit`, only
   * of `types` when given. The type filter runs in the storage, so only
   * matching events are read and sent. Unlike `readAll` it does not wait at
   * gaps: pass a `toPosition` at or below `headPosition()`.
   */
  readBackward?(options: ReadBackwardOptions): Promise<StoredEvent[]>;

  /** The highest position `readAll` would currently reach (0 when empty). */
  headPosition(): Promise<number>;

  /** Stores a snapshot, replacing an older one of the same stream and aggregate type. */
  saveSnapshot(snapshot: StoredSnapshot): Promise<void>;

  /** The newest snapshot of the stream for that aggregate type, if any. */
  loadSnapshot(streamId: string, aggregateType: string): Promise<StoredSnapshot | undefined>;

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

  /**
   * Calls `listener` soon after events are appended, by this instance or, where
   * the backend can tell (PostgreSQL LISTEN/NOTIFY), by others. Returns an
   * unsubscribe function. A wake-up carries no data: listeners read with `readAll`.
   */
  onAppended(listener: () => void): () => void;

  /** Reaches the storage (a query with a short timeout); throws when it cannot. */
  ping(): Promise<void>;

  /** Releases connections and timers. */
  close(): Promise<void>;
}
