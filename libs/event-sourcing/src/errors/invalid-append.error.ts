import { EventSourcingError } from './event-sourcing.error';

/** An append was refused as malformed (bad event id, invalid JSON, a repeated id...); nothing was written. */
export class InvalidAppendError extends EventSourcingError {
  static readonly code = 'invalid-append';

  constructor(
    readonly streamId: string,
    readonly reason: string,
    options?: { cause?: unknown },
  ) {
    super(
      InvalidAppendError.code,
      `Append to stream "${streamId}" was refused, nothing was written: ${reason}`,
      options,
    );
  }
}
