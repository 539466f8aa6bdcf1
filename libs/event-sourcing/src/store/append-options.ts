import type { ExpectedVersion } from './event-storage';

/** Options of `EventStore.append`. */
export interface AppendOptions {
  /** What the stream's version must be (0 = no events yet). Default 'any' (no check). */
  expectedVersion?: ExpectedVersion;
  /** Metadata stored with every event of the append (correlation id, causation id, user, ...). */
  metadata?: Record<string, unknown>;
}

/** Options of `EventStore.streamEvents`. */
export interface StreamEventsOptions {
  /** First version to return (inclusive). Default 1. */
  fromVersion?: number;
  /** Events fetched per round trip. Default: the module's `readPageSize` (1000). */
  pageSize?: number;
}
