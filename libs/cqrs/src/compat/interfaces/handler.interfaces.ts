import type { Command } from '../command';
import type { Query } from '../query';
import type { ICommand, IEvent, IQuery } from './message.interfaces';

/** A `@CommandHandler` class; with a `Command<R>` its `execute` must resolve to `R`. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type ICommandHandler<TCommand extends ICommand = any, TResult = any> =
  TCommand extends Command<infer R>
    ? { execute(command: TCommand): Promise<R> }
    : { execute(command: TCommand): Promise<TResult> };

/** A `@QueryHandler` class; with a `Query<R>` its `execute` must resolve to `R`. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type IQueryHandler<TQuery extends IQuery = any, TResult = any> =
  TQuery extends Query<infer R>
    ? { execute(query: TQuery): Promise<R> }
    : { execute(query: TQuery): Promise<TResult> };

/** An `@EventsHandler` class. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export interface IEventHandler<T extends IEvent = any> {
  handle(event: T): unknown;
}
