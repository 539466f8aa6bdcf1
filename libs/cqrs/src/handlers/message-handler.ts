import type { DispatchContext } from '../bus/dispatch-context';
import type { Command, CommandResultOf } from '../message/command';
import type { Query, QueryResultOf } from '../message/query';

/** Implement on a `@CommandHandler` class: the return type is checked against the command's. */
export interface ICommandHandler<TCommand extends Command<unknown>> {
  /** Handles the command; resolves to the command's result type. */
  execute(
    command: TCommand,
    context: DispatchContext,
  ): Promise<CommandResultOf<TCommand>> | CommandResultOf<TCommand>;
}

/** Implement on a `@QueryHandler` class: the return type is checked against the query's. */
export interface IQueryHandler<TQuery extends Query<unknown>> {
  /** Handles the query; resolves to the query's result type. */
  execute(
    query: TQuery,
    context: DispatchContext,
  ): Promise<QueryResultOf<TQuery>> | QueryResultOf<TQuery>;
}
