import {
  Inject,
  Injectable,
  Logger,
  type OnModuleDestroy,
  Optional,
  type Type,
} from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import type { InstanceWrapper } from '@nestjs/core/injector/instance-wrapper';
import { Event, EventStore } from '@cello/event-sourcing';
import {
  type Observable,
  type Subscription,
  type UnaryFunction,
  catchError,
  defer,
  filter,
  isObservable,
  mergeMap,
  of,
  pipe,
} from 'rxjs';
import { AsyncContext } from './async-context';
import { CommandBus } from './command-bus';
import {
  COMPAT_CQRS_MODULE_OPTIONS,
  COMPAT_EVENT_METADATA,
  COMPAT_EVENTS_HANDLER_METADATA,
  COMPAT_SAGA_METADATA,
} from './compat.constants';
import type { CompatCqrsModuleOptions } from './cqrs-compat-module-options';
import { InvalidEventsHandlerException } from './errors/invalid-events-handler.exception';
import { InvalidSagaException } from './errors/invalid-saga.exception';
import { UnsupportedSagaScopeException } from './errors/unsupported-saga-scope.exception';
import type { IEventHandler } from './interfaces/handler.interfaces';
import type { ICommand, IEvent } from './interfaces/message.interfaces';
import type { EventIdProvider, IEventPublisher } from './interfaces/publisher.interfaces';
import { ObservableBus } from './observable-bus';
import { UnhandledExceptionBus } from './unhandled-exception-bus';

/** One handler's subscription to the event stream, as an operator a custom publisher can run. */
export type EventOperator<EventBase extends IEvent = IEvent> = UnaryFunction<
  Observable<EventBase>,
  Observable<unknown>
>;

/** A saga: the event stream in, commands out. */
export type ISaga<EventBase extends IEvent = IEvent, CommandBase extends ICommand = ICommand> = (
  events$: Observable<EventBase>,
) => Observable<CommandBase>;

const defaultEventIdProvider: EventIdProvider = {
  getEventId: (type) =>
    (Reflect.getMetadata(COMPAT_EVENT_METADATA, type) as { id: string } | undefined)?.id ?? null,
};

/**
 * In-process event bus of @nestjs/cqrs: `publish` sends an event to every
 * `@EventsHandler` of its class and to every `@Saga()` stream. A Cello
 * `Event` with `@EventType` is first appended to the event store when
 * `EventSourcingModule` is imported (stream: the event's `streamId`), so
 * durable `@EventSubscriber`s see it too.
 */
@Injectable()
export class EventBus<EventBase extends IEvent = IEvent>
  extends ObservableBus<EventBase>
  implements OnModuleDestroy
{
  /** The handlers' operators, in registration order (for a custom, e.g. awaiting, publisher). */
  readonly eventOperators: EventOperator<EventBase>[] = [];
  /** Where `publish` sends; by default the in-process stream. */
  publisher: IEventPublisher<EventBase>;
  protected readonly subscriptions: Subscription[] = [];
  protected readonly eventIdProvider: EventIdProvider<EventBase>;
  private readonly logger = new Logger('EventBus');

  constructor(
    private readonly commandBus: CommandBus,
    private readonly moduleRef: ModuleRef,
    private readonly unhandledExceptionBus: UnhandledExceptionBus,
    @Optional()
    @Inject(COMPAT_CQRS_MODULE_OPTIONS)
    private readonly options?: CompatCqrsModuleOptions,
    /** Present when EventSourcingModule is imported: Cello events become durable. */
    @Optional() private readonly eventStore?: EventStore,
  ) {
    super();
    this.eventIdProvider = (options?.eventIdProvider ??
      defaultEventIdProvider) as EventIdProvider<EventBase>;
    this.publisher = (options?.eventPublisher as IEventPublisher<EventBase> | undefined) ?? {
      publish: (event) => this.subject$.next(event),
    };
  }

  onModuleDestroy(): void {
    this.subscriptions.forEach((subscription) => subscription.unsubscribe());
  }

  /**
   * Publishes `event` (with the dispatcher, e.g. the aggregate, and the async
   * context, when given). A durable event is appended first; the returned
   * promise rejects if that fails, and the failure also goes to `UnhandledExceptionBus`.
   */
  publish<T extends EventBase>(
    event: T,
    dispatcherOrAsyncContext?: unknown,
    asyncContext?: AsyncContext,
  ): unknown {
    return this.send([event], dispatcherOrAsyncContext, asyncContext, true);
  }

  /** Publishes `events` in order (durable ones appended first, per stream, all or none). */
  publishAll<T extends EventBase>(
    events: T[],
    dispatcherOrAsyncContext?: unknown,
    asyncContext?: AsyncContext,
  ): unknown {
    return this.send(events, dispatcherOrAsyncContext, asyncContext, false);
  }

  private send(
    events: EventBase[],
    dispatcherOrAsyncContext: unknown,
    asyncContext: AsyncContext | undefined,
    single: boolean,
  ): unknown {
    let dispatcher = dispatcherOrAsyncContext;
    let context = asyncContext;
    if (context === undefined && dispatcher instanceof AsyncContext) {
      context = dispatcher;
      dispatcher = undefined;
    }
    if (context !== undefined) {
      for (const event of events) if (!AsyncContext.isAttached(event)) context.attachTo(event);
    }
    const deliver = () => {
      if (single) return this.publisher.publish(events[0]!, dispatcher, context);
      if (this.publisher.publishAll) return this.publisher.publishAll(events, dispatcher, context);
      return events.map((event) => this.publisher.publish(event, dispatcher, context));
    };
    const durable = this.eventStore === undefined ? [] : events.filter(isDurable);
    if (durable.length === 0) return deliver();
    const done = this.append(durable as unknown as Event[]).then(deliver, (error: unknown) => {
      this.unhandledExceptionBus.publish({ cause: durable[0]!, exception: error });
      this.logger.error(
        'Appending events to the event store failed; they were not published.',
        error,
      );
      throw error;
    });
    // Callers such as AggregateRoot.commit() do not await: the failure is reported above, not crashing the process.
    done.catch(() => undefined);
    return done;
  }

  /** Subscribes `handler` to the events of id `id`. */
  bind(handler: InstanceWrapper<IEventHandler<EventBase>>, id: string): void {
    const run = handler.isDependencyTreeStatic()
      ? (event: EventBase) => () => Promise.resolve(handler.instance.handle(event))
      : (event: EventBase) => async () => {
          const context = AsyncContext.of(event) ?? new AsyncContext();
          const instance = await this.moduleRef.resolve<unknown, IEventHandler<EventBase>>(
            handler.metatype as Type<IEventHandler<EventBase>>,
            context.id,
            { strict: false },
          );
          return instance.handle(event);
        };
    const operator: EventOperator<EventBase> = pipe(
      filter((event: EventBase) => this.idOf(event) === id),
      mergeMap((event) =>
        defer(run(event)).pipe(
          catchError((error: unknown) => {
            if (this.options?.rethrowUnhandled) throw error;
            this.unhandledExceptionBus.publish({ cause: event, exception: error });
            this.logger.error(`"${handler.name}" has thrown an unhandled exception.`, error);
            return of();
          }),
        ),
      ),
    );
    this.eventOperators.push(operator);
    this.subscriptions.push(this.subject$.pipe(operator).subscribe());
  }

  /** Subscribes each `@EventsHandler` provider to its event classes. */
  register(handlers: InstanceWrapper<IEventHandler<EventBase>>[] = []): void {
    for (const handler of handlers) {
      const type = (handler.instance as object | undefined)?.constructor ?? handler.metatype;
      const events = (Reflect.getMetadata(COMPAT_EVENTS_HANDLER_METADATA, type as object) ??
        []) as Type<EventBase>[];
      if (typeof (type as Type | undefined)?.prototype?.handle !== 'function') {
        throw new InvalidEventsHandlerException(
          `"${(type as Type | undefined)?.name}" is an @EventsHandler without a handle(event) method`,
        );
      }
      for (const event of events) {
        const id = this.eventIdProvider.getEventId(event);
        if (id !== null) this.bind(handler, id);
      }
    }
  }

  /** Starts the `@Saga()` streams of singleton providers. */
  registerSagas(wrappers: InstanceWrapper[] = []): void {
    for (const wrapper of wrappers) {
      const keys = (Reflect.getMetadata(COMPAT_SAGA_METADATA, wrapper.metatype as object) ??
        []) as (string | symbol)[];
      if (!wrapper.isDependencyTreeStatic()) {
        throw new UnsupportedSagaScopeException(
          `"${wrapper.name}" has @Saga() streams but is request-scoped or transient`,
        );
      }
      const instance = wrapper.instance as Record<string | symbol, unknown>;
      for (const key of keys) {
        const saga = instance[key];
        if (typeof saga !== 'function') {
          throw new InvalidSagaException(`${wrapper.name}.${String(key)} is not a function`);
        }
        this.registerSaga((saga as ISaga<EventBase>).bind(instance), String(key));
      }
    }
  }

  protected registerSaga(saga: ISaga<EventBase>, name: string): void {
    const commands$ = saga(this);
    if (!isObservable(commands$)) {
      throw new InvalidSagaException(`Saga "${name}" did not return an Observable`);
    }
    const subscription = commands$
      .pipe(
        filter((command) => !!command),
        catchError((error: unknown) => {
          // As @nestjs/cqrs: the error ends this saga's stream; it is reported with the saga's name.
          if (this.options?.rethrowUnhandled) throw error;
          this.unhandledExceptionBus.publish({ cause: name as never, exception: error });
          this.logger.error(`Saga "${name}" has thrown an unhandled exception.`, error);
          return of();
        }),
        mergeMap((command) =>
          defer(() => this.commandBus.execute(command)).pipe(
            catchError((error: unknown) => {
              if (this.options?.rethrowUnhandled) throw error;
              this.unhandledExceptionBus.publish({ cause: command, exception: error });
              this.logger.error(
                `A command from saga "${name}" has thrown an unhandled exception.`,
                error,
              );
              return of();
            }),
          ),
        ),
      )
      .subscribe();
    this.subscriptions.push(subscription);
  }

  private idOf(event: EventBase): string | null {
    const type = (event as unknown as { constructor?: Type<EventBase> } | null)?.constructor;
    return type === undefined ? null : this.eventIdProvider.getEventId(type);
  }

  private async append(events: Event[]): Promise<void> {
    const store = this.eventStore!;
    // Consecutive events of one stream (an aggregate's commit) go in one all-or-none append.
    for (let start = 0; start < events.length;) {
      const streamId = events[start]!.streamId;
      let end = start + 1;
      while (streamId !== undefined && events[end]?.streamId === streamId) end += 1;
      if (end - start === 1) await store.append(events[start]!);
      else await store.append(streamId!, events.slice(start, end));
      start = end;
    }
  }
}

/** A Cello event (with `@EventType`) goes to the event store before the in-process handlers. */
function isDurable(event: unknown): boolean {
  return event instanceof Event;
}
