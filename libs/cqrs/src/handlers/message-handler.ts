import type { DispatchContext } from '../bus/dispatch-context';
import type { Command, CommandResultOf } from '../message/command';
import type { Query, QueryResultOf } from '../message/query';

/** Implement on a `@CommandHandler` class: the return type is checked against the command's. */
export interface ICommandHandler<TCommand extends Command<unknown>> {
  execute(
    command: TCommand,
    context: DispatchContext,
  ): Promise<CommandResultOf<TCommand>> | CommandResultOf<TCommand>;
}

/** Implement on a `@QueryHandler` class: the return type is checked against the query's. */
export interface IQueryHandler<TQuery extends Query<unknown>> {
  execute(
    query: TQuery,
    context: DispatchContext,
  ): Promise<QueryResultOf<TQuery>> | QueryResultOf<TQuery>;
}
