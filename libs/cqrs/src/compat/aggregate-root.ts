import type { IEvent } from './interfaces/message.interfaces';
import { WithAggregateRoot } from './with-aggregate-root.mixin';

/** Base class of an in-memory aggregate root whose `commit()` publishes to the `EventBus`. */
export abstract class AggregateRoot<EventBase extends IEvent = IEvent> extends WithAggregateRoot(
  class {},
)<EventBase> {}
