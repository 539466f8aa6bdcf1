import type { EntityManager } from 'typeorm';
import type { Event } from '../event/event';

/** What an inline projection gets with each event. */
export interface InlineProjectionContext {
  /**
   * The TypeORM `EntityManager` of the append's transaction on PostgreSQL and
   * MySQL: write the read model through it and it commits with the event.
   * Undefined on the memory storage.
   */
  readonly manager: EntityManager | undefined;
  readonly streamId: string;
  /** The event's version in its stream. */
  readonly version: number;
  /** The event's stored type name. */
  readonly type: string;
}

/**
 * A projection run inside the append's transaction (`EventStore.registerInlineProjection`):
 * its read model is never behind the events, and its error refuses the append
 * (`InlineProjectionError`). Asynchronous subscribers (`@EventHandler`) stay the default.
 */
export interface InlineProjection {
  /** Names the projection in errors. */
  readonly name: string;
  /** Called once per appended event, in order, before the append commits. */
  project(event: Event, context: InlineProjectionContext): Promise<void> | void;
}
