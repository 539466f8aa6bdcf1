import { COMMAND_HANDLER_METADATA } from '../cqrs.constants';
import type { MessageClass } from '../message/message-class';
import { handlerDecorator, type HandlerDecoratorOptions } from './handler-decorator';

/**
 * Makes the class the handler of `command` (found once at start-up). The
 * class is a provider whose `execute(command, context)` returns the result.
 * Options set this command's timeout, middleware and validation, and the
 * provider's scope; an option Cello does not know fails at once.
 */
export function CommandHandler(
  command: MessageClass,
  options: HandlerDecoratorOptions = {},
): ClassDecorator {
  return handlerDecorator('@CommandHandler', COMMAND_HANDLER_METADATA, command, options);
}
