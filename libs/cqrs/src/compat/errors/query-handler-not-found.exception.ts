import { HandlerNotFoundError } from '../../errors/handler-not-found.error';

/** @nestjs/cqrs's name for Cello's `HandlerNotFoundError` of a query (same code, same class tree). */
export class QueryHandlerNotFoundException extends HandlerNotFoundError {
  constructor(queryName: string) {
    super(queryName, 'query');
  }
}
