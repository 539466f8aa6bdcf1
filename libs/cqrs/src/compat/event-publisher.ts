import { Injectable } from '@nestjs/common';
import type { AsyncContext } from './async-context';
import { EventBus } from './event-bus';
import type { IEvent } from './interfaces/message.interfaces';
import type { AbstractConstructor, IAggregateRoot } from './with-aggregate-root.mixin';

/** Connects aggregate roots to the `EventBus`: after merging, their `commit()` publishes. */
@Injectable()
export class EventPublisher<EventBase extends IEvent = IEvent> {
  constructor(private readonly eventBus: EventBus<EventBase>) {}

  /** A subclass of `metatype` whose instances publish to the bus (in `asyncContext`, if given). */
  mergeClassContext<T extends AbstractConstructor<IAggregateRoot<EventBase>>>(
    metatype: T,
    asyncContext?: AsyncContext,
  ): T {
    const eventBus = this.eventBus;
    abstract class Merged extends metatype {
      override publish(event: EventBase): void {
        void eventBus.publish(event, this, asyncContext);
      }
      override publishAll(events: EventBase[]): void {
        void eventBus.publishAll(events, this, asyncContext);
      }
    }
    return Merged;
  }

  /** Makes `object` publish to the bus (in `asyncContext`, if given); returns it. */
  mergeObjectContext<T extends IAggregateRoot<EventBase>>(
    object: T,
    asyncContext?: AsyncContext,
  ): T {
    const eventBus = this.eventBus;
    object.publish = (event) => void eventBus.publish(event, object, asyncContext);
    object.publishAll = (events) => void eventBus.publishAll(events, object, asyncContext);
    return object;
  }
}
