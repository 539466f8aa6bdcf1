import { randomUUID } from 'node:crypto';
import { addOwnMetadata } from './own-metadata';

/**
 * Base class of domain events. Subclasses declare their payload as fields and
 * a stable type name with `@EventType`. Every event gets an id at creation:
 * appending the same event objects again (a re-send after a timeout) is a no-op.
 */
export abstract class Event {
  /** Unique id of this event, kept across re-sends. */
  eventId: string = randomUUID();

  /**
   * The stream this event belongs to, for the one-argument `EventStore.append(event)`.
   * Override with a getter, e.g. `get streamId() { return this.orderId; }`.
   */
  get streamId(): string | undefined {
    return undefined;
  }

  /**
   * Adds metadata stored with this event only, over the append's `metadata`
   * and the ambient correlation and causation ids. Returns the event, e.g.
   * `append(id, new OrderShipped(...).withMetadata({ userId }))`.
   */
  withMetadata(metadata: Record<string, unknown>): this {
    addOwnMetadata(this, metadata);
    return this;
  }
}

/** A concrete event class. */
export type EventClass<E extends Event = Event> = abstract new (...args: never[]) => E;
