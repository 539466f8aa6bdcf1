import { EVENT_TYPE_METADATA } from '../event-sourcing.constants';
import type { EventClass } from '../event/event';
import { InvalidEventSourcingDecoratorError } from '../errors/invalid-event-sourcing-decorator.error';
import {
  checkClassTarget,
  checkDecoratorOptions,
  checkSchemaVersion,
} from './decorator-use-checks';

/** Options of `@EventType(name, options)`. */
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
  if (typeof name !== 'string' || name === '') {
    // `@EventType` without a name (or without parentheses) would store events under nothing stable.
    throw new InvalidEventSourcingDecoratorError(
      '@EventType',
      typeof name === 'function' ? (name as { name: string }).name : 'an event class',
      `its name is ${typeof name === 'function' ? 'missing' : JSON.stringify(name)}.`,
      "Give the stable stored type name: @EventType('OrderPlaced').",
    );
  }
  const where = `event type "${name}"`;
  checkDecoratorOptions('@EventType', where, options, ['schemaVersion']);
  checkSchemaVersion('@EventType', where, 'schemaVersion', options.schemaVersion);
  const decorate = (target: { readonly name: string }, key?: string | symbol) => {
    checkClassTarget('@EventType', target, key);
    const metadata: EventTypeMetadata = { name, schemaVersion: options.schemaVersion ?? 1 };
    Reflect.defineMetadata(EVENT_TYPE_METADATA, metadata, target);
  };
  return decorate as ClassDecorator;
}

/** The `@EventType` of `eventClass`, or undefined when it has none. */
export function getEventTypeMetadata(eventClass: EventClass): EventTypeMetadata | undefined {
  return Reflect.getOwnMetadata(EVENT_TYPE_METADATA, eventClass) as EventTypeMetadata | undefined;
}
