import { EventSourcingError } from './event-sourcing.error';

/** An append or save had no stream to write to. */
export class MissingStreamIdError extends EventSourcingError {
  static readonly code = 'missing-stream-id';

  constructor(detail: string) {
    super(MissingStreamIdError.code, detail);
  }
}
