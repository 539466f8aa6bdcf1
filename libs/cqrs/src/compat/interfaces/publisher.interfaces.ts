import type { Subject } from 'rxjs';
import type { AsyncContext } from '../async-context';
import type { ICommand, IEvent, IQuery } from './message.interfaces';

/** Where `EventBus.publish` sends events (default: the in-process stream). */
export interface IEventPublisher<EventBase extends IEvent = IEvent> {
  publish<T extends EventBase>(
    event: T,
    dispatcherContext?: unknown,
    asyncContext?: AsyncContext,
  ): unknown;
  publishAll?<T extends EventBase>(
    events: T[],
    dispatcherContext?: unknown,
    asyncContext?: AsyncContext,
  ): unknown;
}

/** A source of events from outside that feeds the bus's stream. */
export interface IMessageSource<EventBase extends IEvent = IEvent> {
  bridgeEventsTo<T extends EventBase>(subject: Subject<T>): unknown;
}

/** Sees every executed command (default: the bus's own stream). */
export interface ICommandPublisher<CommandBase extends ICommand = ICommand> {
  publish<T extends CommandBase = CommandBase>(command: T): unknown;
}

/** Sees every executed query (default: the bus's own stream). */
export interface IQueryPublisher<QueryBase extends IQuery = IQuery> {
  publish<T extends QueryBase = QueryBase>(query: T): unknown;
}

/** What `UnhandledExceptionBus` carries: the error and the event, command or saga name behind it. */
export interface UnhandledExceptionInfo<Cause = IEvent | ICommand, Exception = unknown> {
  exception: Exception;
  cause: Cause;
}

/** Where `UnhandledExceptionBus.publish` sends (default: its own stream). */
export interface IUnhandledExceptionPublisher<Cause = IEvent | ICommand, Exception = unknown> {
  publish(info: UnhandledExceptionInfo<Cause, Exception>): unknown;
}

/** Gives each event class the id handlers are matched by. */
export interface EventIdProvider<EventBase extends IEvent = IEvent> {
  getEventId(event: abstract new (...args: never[]) => EventBase): string | null;
}
