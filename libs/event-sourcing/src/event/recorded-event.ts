import type { Event } from './event';

/** An event read back from the store, with where and when it was stored. */
export interface RecordedEvent<E extends Event = Event> {
  /** The event, an instance of its registered class at its current schema version. */
  readonly event: E;
  readonly streamId: string;
  /** Version within the stream (1, 2, 3, ...). */
  readonly version: number;
  /** Position in the global log. */
  readonly position: number;
  readonly eventId: string;
  /** The stored type name (`@EventType`). */
  readonly type: string;
  /** Metadata given at append (correlation id, ...). */
  readonly metadata: Record<string, unknown>;
  readonly recordedAt: Date;
}
