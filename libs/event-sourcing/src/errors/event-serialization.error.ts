import { EventSourcingError } from './event-sourcing.error';

/** An event (or a snapshot state) could not be turned into JSON, or read back from it. */
export class EventSerializationError extends EventSourcingError {
  static readonly code = 'event-serialization-failed';

  constructor(
    /** The event type name (or aggregate type, for snapshots). */
    readonly eventType: string,
    /** Dotted path of the offending field, '' for the whole payload. */
    readonly field: string,
    readonly reason: string,
    options?: { cause?: unknown },
  ) {
    super(
      EventSerializationError.code,
      `Serialization of "${eventType}"${field ? ` field "${field}"` : ''} failed: ${reason}`,
      options,
    );
  }
}
