import { CqrsError } from '../../errors/cqrs.error';

/** @nestjs/cqrs's error: a query handler has no execute() method or no @QueryHandler(Query). */
export class InvalidQueryHandlerException extends CqrsError {
  static readonly code = 'invalid-query-handler';

  constructor(detail?: string) {
    super(
      InvalidQueryHandlerException.code,
      `${detail ?? 'A query handler has no execute() method or no @QueryHandler(Query)'}. Give the class @QueryHandler(MyQuery) and an execute(query) method.`,
    );
  }
}
