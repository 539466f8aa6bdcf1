import { EventSourcingError } from './event-sourcing.error';

/** A stored event could not be brought to its class's current schema version. */
export class UpcastingError extends EventSourcingError {
  static readonly code = 'upcasting-failed';

  constructor(
    readonly eventType: string,
    /** The schema version the failing step started from. */
    readonly fromVersion: number,
    readonly streamId: string,
    readonly version: number,
    readonly position: number,
    reason: string,
    options?: { cause?: unknown },
  ) {
    super(
      UpcastingError.code,
      `Cannot upcast "${eventType}" from schema version ${fromVersion} ` +
        `(stream "${streamId}" version ${version}, position ${position}): ${reason}`,
      options,
    );
  }
}
