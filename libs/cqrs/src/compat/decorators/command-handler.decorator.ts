import { COMMAND_HANDLER_METADATA } from '../../cqrs.constants';
import type { HandlerDecoratorOptions } from '../../decorators/handler-decorator';
import { COMPAT_COMMAND_METADATA } from '../compat.constants';
import type { MessageClass } from '../../message/message-class';
import type { ICommand } from '../interfaces/message.interfaces';
import { compatHandlerDecorator } from './message-handler.decorator';

/**
 * Makes the class the handler of `command`, dispatched by Cello's command bus.
 * Options are @nestjs/cqrs's (`scope`, `durable`) plus Cello's per-handler
 * `timeout` (seconds), `middleware` and `validate`.
 */
export function CommandHandler(
  command: MessageClass<ICommand>,
  options: HandlerDecoratorOptions = {},
): ClassDecorator {
  return compatHandlerDecorator(
    '@CommandHandler',
    COMMAND_HANDLER_METADATA,
    COMPAT_COMMAND_METADATA,
    command,
    options,
  );
}
