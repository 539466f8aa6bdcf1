import { CqrsError } from './cqrs.error';

/** A CqrsModule option or a handler/middleware option has a value that cannot work. */
export class InvalidCqrsOptionError extends CqrsError {
  static readonly code = 'invalid-cqrs-option';

  constructor(
    readonly option: string,
    detail: string,
  ) {
    super(InvalidCqrsOptionError.code, `Invalid CQRS option "${option}": ${detail}`);
  }
}
