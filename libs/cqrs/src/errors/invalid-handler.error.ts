import { CqrsError } from './cqrs.error';

/** A class decorated as a handler cannot be used as one (no `execute`, not a class, ...). */
export class InvalidHandlerError extends CqrsError {
  static readonly code = 'invalid-handler';

  constructor(
    readonly handlerName: string,
    detail: string,
  ) {
    super(InvalidHandlerError.code, `${handlerName} cannot be a handler: ${detail}`);
  }
}
