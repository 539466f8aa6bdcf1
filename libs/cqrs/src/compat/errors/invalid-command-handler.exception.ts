import { CqrsError } from '../../errors/cqrs.error';

/** @nestjs/cqrs's error: a command handler has no execute() method or no @CommandHandler(Command). */
export class InvalidCommandHandlerException extends CqrsError {
  static readonly code = 'invalid-command-handler';

  constructor(detail?: string) {
    super(
      InvalidCommandHandlerException.code,
      `${detail ?? 'A command handler has no execute() method or no @CommandHandler(Command)'}. Give the class @CommandHandler(MyCommand) and an execute(command) method.`,
    );
  }
}
