import { randomUUID } from 'node:crypto';

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
}

/** A concrete event class. */
export type EventClass<E extends Event = Event> = abstract new (...args: never[]) => E;
