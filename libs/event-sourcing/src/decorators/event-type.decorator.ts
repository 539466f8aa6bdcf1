import { EVENT_TYPE_METADATA } from '../event-sourcing.constants';
import type { EventClass } from '../event/event';

export interface EventTypeOptions {
  /** Schema version of the event's payload; raise it and add an upcaster when the shape changes. Default 1. */
  schemaVersion?: number;
}

/** What `@EventType` records on an event class. */
export interface EventTypeMetadata {
  readonly name: string;
  readonly schemaVersion: number;
}

/**
 * Gives an event class its stable stored type name, so renaming or minifying
 * the class does not break stored data.
 */
export function EventType(name: string, options: EventTypeOptions = {}): ClassDecorator {
  return (target) => {
    const metadata: EventTypeMetadata = { name, schemaVersion: options.schemaVersion ?? 1 };
    Reflect.defineMetadata(EVENT_TYPE_METADATA, metadata, target);
  };
}

/** The `@EventType` of `eventClass`, or undefined when it has none. */
export function getEventTypeMetadata(eventClass: EventClass): EventTypeMetadata | undefined {
  return Reflect.getOwnMetadata(EVENT_TYPE_METADATA, eventClass) as EventTypeMetadata | undefined;
}
