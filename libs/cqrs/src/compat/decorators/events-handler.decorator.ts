import { Injectable, type InjectableOptions } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { COMPAT_EVENT_METADATA, COMPAT_EVENTS_HANDLER_METADATA } from '../compat.constants';
import { InvalidEventsHandlerException } from '../errors/invalid-events-handler.exception';
import type { IEvent } from '../interfaces/message.interfaces';

type EventType = abstract new (...args: never[]) => IEvent;

/**
 * Makes the class an in-process handler of the given event classes; its
 * `handle(event)` runs for each one published on the `EventBus`. A last
 * argument `{ scope }` makes it request-scoped, as `@Injectable({ scope })`.
 */
export function EventsHandler(...events: (EventType | InjectableOptions)[]): ClassDecorator {
  const last = events[events.length - 1];
  const options =
    typeof last === 'object' && last !== null ? (events.pop() as InjectableOptions) : undefined;
  const types = events as EventType[];
  for (const type of types) {
    if (typeof type !== 'function') {
      throw new InvalidEventsHandlerException(
        `@EventsHandler(...) was given ${String(type)}, not an event class`,
      );
    }
    if (!Reflect.hasOwnMetadata(COMPAT_EVENT_METADATA, type)) {
      Reflect.defineMetadata(COMPAT_EVENT_METADATA, { id: randomUUID() }, type);
    }
  }
  return (target) => {
    Injectable(options)(target);
    Reflect.defineMetadata(COMPAT_EVENTS_HANDLER_METADATA, types, target);
  };
}
