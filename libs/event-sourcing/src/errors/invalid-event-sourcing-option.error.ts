import { EventSourcingError } from './event-sourcing.error';

/** An `EventSourcingModule.forRoot` option other than `storage` has a value that cannot work. */
export class InvalidEventSourcingOptionError extends EventSourcingError {
  static readonly code = 'invalid-event-sourcing-option';

  constructor(
    readonly option: string,
    detail: string,
  ) {
    super(
      InvalidEventSourcingOptionError.code,
      `EventSourcingModule option "${option}" is invalid: ${detail}`,
    );
  }
}
