import type { EntityManager } from 'typeorm';
import type { Event } from '../event/event';

/** What an inline projection gets with each event. */
export interface InlineProjectionContext {
  /**
   * The TypeORM `EntityManager` of the append's transaction on PostgreSQL and
   * MySQL (of the page's transaction during a rebuild): write the read model
   * through it and it commits with the event. Undefined on the memory storage.
   */
  readonly manager: EntityManager | undefined;
  readonly streamId: string;
  /** The event's version in its stream. */
  readonly version: number;
  /** The event's stored type name. */
  readonly type: string;
  /** The event's id. */
  readonly eventId?: string;
  /**
   * The event's global position: known on PostgreSQL and MySQL and during a
   * rebuild; undefined while the memory storage appends (it numbers events at commit).
   */
  readonly position?: number;
  /** True when a rebuild replays the event, false (or absent) when its append projects it. */
  readonly replaying?: boolean;
}

/**
 * A projection run inside the append's transaction (declared with
 * `@EventSubscriber({ inline: true })`, or registered with
 * `EventStore.registerInlineProjection`): its read model is never behind the
 * events, and its error refuses the append (`InlineProjectionError`).
 * Asynchronous subscribers (`@EventHandler`) stay the default.
 */
export interface InlineProjection {
  /** Names the projection in errors, `status()` and `rebuild(name)`; unique among subscribers. */
  readonly name: string;
  /** Called once per appended event, in order, before the append commits. */
  project(event: Event, context: InlineProjectionContext): Promise<void> | void;
  /**
   * Optional: empties the read model before a rebuild replays the log into it,
   * in its own transaction (`manager` as in `InlineProjectionContext`).
   */
  reset?(manager: EntityManager | undefined): Promise<void> | void;
  /**
   * Optional: whether the projection reads events of this stored type. A
   * rebuild decodes and feeds only those. Default: every type.
   */
  handles?(type: string): boolean;
}

/** What an inline projection is doing, from `EventStore.inlineProjectionStatus()`. */
export interface InlineProjectionStatus {
  /** The projection's name. */
  readonly name: string;
  /**
   * `inline`: projected by every append; `rebuilding`: a rebuild replays the
   * log into it (appends skip it meanwhile); `failed`: its last rebuild failed
   * (appends skip it until a rebuild succeeds).
   */
  readonly state: 'inline' | 'rebuilding' | 'failed';
  /** The last position the running or failed rebuild finished; absent while `inline`. */
  readonly rebuiltUpTo?: number;
  /** Why the last rebuild failed. */
  readonly lastError?: string;
}
