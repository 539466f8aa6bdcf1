import type { IEvent } from './interfaces/message.interfaces';

const UNCOMMITTED = Symbol('cello:cqrs-compat:uncommitted');
const AUTO_COMMIT = Symbol('cello:cqrs-compat:auto-commit');

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AbstractConstructor<T = object> = abstract new (...args: any[]) => T;

/** What an aggregate root (class or mixin) offers. */
export interface IAggregateRoot<EventBase extends IEvent = IEvent> {
  autoCommit: boolean;
  publish<T extends EventBase = EventBase>(event: T): void;
  publishAll<T extends EventBase = EventBase>(events: T[]): void;
  commit(): void;
  uncommit(): void;
  getUncommittedEvents(): EventBase[];
  loadFromHistory(history: EventBase[]): void;
  apply<T extends EventBase = EventBase>(
    event: T,
    options?: boolean | { fromHistory?: boolean; skipHandler?: boolean },
  ): void;
}

/**
 * Adds aggregate-root behaviour to `Base` (for classes that already extend
 * something): `apply(event)` records the event and calls `on<EventClassName>`;
 * `commit()` publishes the recorded events once the object is merged with
 * `EventPublisher.mergeObjectContext`.
 */
export function WithAggregateRoot<
  EventBase extends IEvent = IEvent,
  TBase extends AbstractConstructor = AbstractConstructor,
>(Base: TBase) {
  abstract class AggregateRootMixin extends Base implements IAggregateRoot<EventBase> {
    [AUTO_COMMIT] = false;
    readonly [UNCOMMITTED]: EventBase[] = [];

    set autoCommit(value: boolean) {
      this[AUTO_COMMIT] = value;
    }
    get autoCommit(): boolean {
      return this[AUTO_COMMIT];
    }

    // Replaced by EventPublisher.mergeObjectContext/mergeClassContext: until then events go nowhere, as upstream.
    publish<T extends EventBase = EventBase>(_event: T): void {}
    publishAll<T extends EventBase = EventBase>(_events: T[]): void {}

    commit(): void {
      this.publishAll([...this[UNCOMMITTED]]);
      this[UNCOMMITTED].length = 0;
    }

    uncommit(): void {
      this[UNCOMMITTED].length = 0;
    }

    getUncommittedEvents(): EventBase[] {
      return this[UNCOMMITTED];
    }

    loadFromHistory(history: EventBase[]): void {
      history.forEach((event) => this.apply(event, true));
    }

    apply<T extends EventBase = EventBase>(
      event: T,
      options: boolean | { fromHistory?: boolean; skipHandler?: boolean } = {},
    ): void {
      const fromHistory = (typeof options === 'boolean' ? options : options.fromHistory) ?? false;
      const skipHandler = typeof options === 'boolean' ? false : options.skipHandler === true;
      if (!fromHistory && !this.autoCommit) this[UNCOMMITTED].push(event);
      if (this.autoCommit) this.publish(event);
      if (!skipHandler) this.getEventHandler(event)?.call(this, event);
    }

    protected getEventHandler(event: EventBase): ((event: EventBase) => void) | undefined {
      const handler = (this as Record<string, unknown>)[`on${this.getEventName(event)}`];
      return typeof handler === 'function' ? (handler as (event: EventBase) => void) : undefined;
    }

    protected getEventName(event: object): string {
      return (Object.getPrototypeOf(event) as { constructor: { name: string } }).constructor.name;
    }
  }
  return AggregateRootMixin as unknown as abstract new <T extends IEvent = EventBase>(
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    ...args: any[]
  ) => IAggregateRoot<T> & InstanceType<TBase>;
}
