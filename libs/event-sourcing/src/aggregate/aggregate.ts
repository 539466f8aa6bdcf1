import { getEventBatchHandlerBindings } from '../decorators/event-batch-handler.decorator';
import { getEventHandlerBindings } from '../decorators/event-handler.decorator';
import { getEventTypeMetadata } from '../decorators/event-type.decorator';
import { MissingEventHandlerError } from '../errors/missing-event-handler.error';
import type { Event, EventClass } from '../event/event';

// Framework state lives under symbols: Object.keys and JSON skip them, so the
// snapshot state is exactly the aggregate's own fields.
const VERSION = Symbol('cello:aggregate-version');
const COMMITTED_VERSION = Symbol('cello:aggregate-committed-version');
const PENDING = Symbol('cello:aggregate-pending');

type HandlerMap = Map<EventClass, string | symbol>;
const handlerCache = new WeakMap<object, HandlerMap>();

function handlersOf(aggregateClass: object): HandlerMap {
  let handlers = handlerCache.get(aggregateClass);
  if (!handlers) {
    handlers = new Map();
    for (const binding of getEventHandlerBindings(aggregateClass)) {
      for (const eventClass of binding.eventClasses) handlers.set(eventClass, binding.methodName);
    }
    handlerCache.set(aggregateClass, handlers);
  }
  return handlers;
}

/**
 * Base class of event-sourced aggregates. State changes only through
 * `apply(event)`, which runs the `@EventHandler` method for the event's class
 * and records the event until `EventStore.save` stores it. Subclasses need a
 * constructor callable without arguments (the store uses it to rebuild).
 */
export abstract class Aggregate {
  /** The aggregate's id, which is also its stream id. */
  id!: string;

  private [VERSION] = 0;
  private [COMMITTED_VERSION] = 0;
  private [PENDING]: Event[] = [];

  /** Version including applied but unsaved events: the version of the last event. */
  get version(): number {
    return this[VERSION];
  }

  /** The stream version the aggregate was loaded (or last saved) at: the expected version of the next save. */
  get committedVersion(): number {
    return this[COMMITTED_VERSION];
  }

  /** Events applied since the aggregate was loaded or saved, oldest first. */
  get uncommittedEvents(): readonly Event[] {
    return this[PENDING];
  }

  /** Applies a new event: runs its `@EventHandler` and records it for the next save. */
  apply(event: Event): void {
    this.handle(event);
    this[PENDING].push(event);
    this[VERSION] += 1;
  }

  /** Replays stored events (no recording), e.g. to rebuild state. */
  loadFromHistory(events: Iterable<Event>): void {
    for (const event of events) {
      this.handle(event);
      this[VERSION] += 1;
      this[COMMITTED_VERSION] = this[VERSION];
    }
  }

  /** Marks the pending events as stored at `streamVersion`. Called by `EventStore.save`. */
  markCommitted(streamVersion: number = this[VERSION]): void {
    this[PENDING] = [];
    this[VERSION] = streamVersion;
    this[COMMITTED_VERSION] = streamVersion;
  }

  /** The state a snapshot stores. Default: the aggregate's own fields. Override to shape it. */
  toSnapshot(): object {
    return { ...this };
  }

  /** Restores state from `toSnapshot()`'s output. Default: copies the fields back. */
  fromSnapshot(state: object): void {
    Object.assign(this, state);
  }

  /** Sets state from a snapshot taken at `version`. Called by `EventStore.load`. */
  restoreSnapshot(state: object, version: number): void {
    this.fromSnapshot(state);
    this[VERSION] = version;
    this[COMMITTED_VERSION] = version;
    this[PENDING] = [];
  }

  private handle(event: Event): void {
    (this as unknown as Record<string | symbol, (event: Event) => void>)[
      handlerMethodOf(this, event)
    ](event);
  }
}

/**
 * The name of the `@EventHandler` method of `aggregate` for `event`'s class
 * (or a class it extends); `MissingEventHandlerError` when there is none.
 */
function handlerMethodOf(aggregate: Aggregate, event: Event): string | symbol {
  const handlers = handlersOf(aggregate.constructor);
  let methodName = handlers.get(event.constructor as EventClass);
  if (methodName === undefined) {
    for (const [eventClass, name] of handlers) {
      if (event instanceof eventClass) {
        methodName = name;
        break;
      }
    }
  }
  if (methodName === undefined) {
    const eventClass = event.constructor as EventClass;
    const batchMethod = getEventBatchHandlerBindings(aggregate.constructor).find((binding) =>
      binding.eventClasses.includes(eventClass),
    )?.methodName;
    throw new MissingEventHandlerError(
      aggregate.constructor.name,
      getEventTypeMetadata(eventClass)?.name ?? eventClass.name,
      batchMethod === undefined ? undefined : String(batchMethod),
    );
  }
  return methodName;
}

/**
 * Feeds `aggregate` stored events one at a time as `loadFromHistory` does,
 * finding the handler once per run of events of one class instead of once
 * per event: what `EventStore.load` replays with. An aggregate class that
 * overrides `loadFromHistory` gets its override. Internal: not exported by
 * the package.
 */
export function historyReplayer(aggregate: Aggregate): (event: Event) => void {
  if (aggregate.loadFromHistory !== Aggregate.prototype.loadFromHistory) {
    const one: Event[] = [];
    return (event) => {
      one[0] = event;
      aggregate.loadFromHistory(one);
    };
  }
  const state = aggregate as unknown as { [VERSION]: number; [COMMITTED_VERSION]: number };
  const methods = aggregate as unknown as Record<string | symbol, (event: Event) => void>;
  let lastClass: unknown;
  let method: string | symbol = '';
  return (event) => {
    if (event.constructor !== lastClass) {
      method = handlerMethodOf(aggregate, event);
      lastClass = event.constructor;
    }
    methods[method](event);
    state[VERSION] += 1;
    state[COMMITTED_VERSION] = state[VERSION];
  };
}

/** A concrete aggregate class, constructible without arguments. */
export type AggregateClass<A extends Aggregate = Aggregate> = new () => A;

/** The event classes an aggregate class handles (from its `@EventHandler`s). */
export function aggregateEventClasses(aggregateClass: object): EventClass[] {
  return [...handlersOf(aggregateClass).keys()];
}
