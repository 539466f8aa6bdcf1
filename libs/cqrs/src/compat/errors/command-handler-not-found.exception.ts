import { HandlerNotFoundError } from '../../errors/handler-not-found.error';

/** @nestjs/cqrs's name for Cello's `HandlerNotFoundError` of a command (same code, same class tree). */
export class CommandHandlerNotFoundException extends HandlerNotFoundError {
  constructor(commandName: string) {
    super(commandName, 'command');
  }
}
