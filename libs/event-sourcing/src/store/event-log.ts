import type { EventLogTransaction } from './event-log-transaction';
import type { StorageLifecycle } from './storage-lifecycle';

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

/** Options of `EventLog.replayStream`. */
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

/** Options of `EventLog.readBackward`. */
export interface ReadBackwardOptions {
  /** Highest position to return (inclusive). */
  readonly toPosition: number;
  /** Lowest position to look at (inclusive): bounds the search. Default 1. */
  readonly fromPosition?: number;
  /** Only events of these types (an empty list matches nothing). Default: every type. */
  readonly types?: readonly string[];
  /**
   * Only events whose metadata's `correlationId` is exactly this (compared
   * byte for byte). The storage filters the positions it looks at; no index
   * serves it. Default: every event.
   */
  readonly correlationId?: string;
  /** Most events to return. */
  readonly limit: number;
}

/**
 * The event log part of a storage: streams with optimistic concurrency, the
 * global log in commit-safe order, and wake-ups after appends.
 */
export interface EventLog extends StorageLifecycle {
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

  /**
   * Calls `listener` soon after events are appended, by this instance or, where
   * the backend can tell (PostgreSQL LISTEN/NOTIFY), by others. Returns an
   * unsubscribe function. A wake-up carries no data: listeners read with `readAll`.
   */
  onAppended(listener: () => void): () => void;

  /**
   * Runs `work` in one transaction: its appends (and, on SQL backends, its
   * statements through `tx.manager`) are stored together when it resolves,
   * or not at all when it throws. Optional: a storage without it cannot run
   * `EventStore.transaction`.
   */
  transaction?<T>(work: (tx: EventLogTransaction) => Promise<T>): Promise<T>;
}
