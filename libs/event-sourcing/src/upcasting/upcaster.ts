import type { EventClass } from '../event/event';

/** Transforms an event's stored payload from one schema version to the next. */
export interface EventUpcaster<From = unknown, To = unknown> {
  /** The payload at schema version `fromVersion + 1`. */
  upcast(data: From): To;
}

/**
 * An upcaster given as an object in `forRoot`/`forFeature({ upcasters })`:
 * turns `type`'s payload of schema version `fromVersion` into `fromVersion + 1`.
 */
export interface UpcasterDefinition<From = unknown, To = unknown> {
  /** The event class, or its `@EventType` name. */
  readonly type: EventClass | string;
  readonly fromVersion: number;
  /** The payload at schema version `fromVersion + 1`. */
  upcast(data: From): To;
}

/** A class decorated with `@Upcaster(...)`. */
export type UpcasterClass = new () => EventUpcaster;

/** What `upcasters: [...]` accepts: `@Upcaster` classes or plain definitions. */
export type UpcasterRegistration = UpcasterClass | UpcasterDefinition;
