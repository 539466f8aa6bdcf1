import { QUERY_HANDLER_METADATA } from '../cqrs.constants';
import type { MessageClass } from '../message/message-class';
import { handlerDecorator, type HandlerDecoratorOptions } from './handler-decorator';

/**
 * Makes the class the handler of `query` (found once at start-up). The
 * class is a provider whose `execute(query, context)` returns the result.
 * Options set this query's timeout, middleware and validation, and the
 * provider's scope; an option Cello does not know fails at once.
 */
export function QueryHandler(
  query: MessageClass,
  options: HandlerDecoratorOptions = {},
): ClassDecorator {
  return handlerDecorator('@QueryHandler', QUERY_HANDLER_METADATA, query, options);
}
