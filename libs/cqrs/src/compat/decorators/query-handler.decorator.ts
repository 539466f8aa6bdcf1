import { QUERY_HANDLER_METADATA } from '../../cqrs.constants';
import type { HandlerDecoratorOptions } from '../../decorators/handler-decorator';
import { COMPAT_QUERY_METADATA } from '../compat.constants';
import type { MessageClass } from '../../message/message-class';
import type { IQuery } from '../interfaces/message.interfaces';
import { compatHandlerDecorator } from './message-handler.decorator';

/**
 * Makes the class the handler of `query`, dispatched by Cello's query bus.
 * Options are @nestjs/cqrs's (`scope`, `durable`) plus Cello's per-handler
 * `timeout` (seconds), `middleware` and `validate`.
 */
export function QueryHandler(
  query: MessageClass<IQuery>,
  options: HandlerDecoratorOptions = {},
): ClassDecorator {
  return compatHandlerDecorator(
    '@QueryHandler',
    QUERY_HANDLER_METADATA,
    COMPAT_QUERY_METADATA,
    query,
    options,
  );
}
