import { CqrsError } from './cqrs.error';

/** Two handlers claim the same command or query class: start-up fails. */
export class DuplicateHandlerError extends CqrsError {
  static readonly code = 'duplicate-handler';

  constructor(
    readonly messageName: string,
    readonly firstHandler: string,
    readonly secondHandler: string,
  ) {
    super(
      DuplicateHandlerError.code,
      `"${messageName}" has two handlers: ${firstHandler} and ${secondHandler}. ` +
        'A command or query has exactly one handler: remove the decorator from one of them.',
    );
  }
}
