import { EventSourcingError } from './event-sourcing.error';

/** A serialized event payload is larger than the `maxEventBytes` option allows. */
export class EventTooLargeError extends EventSourcingError {
  static readonly code = 'event-too-large';

  constructor(
    readonly eventType: string,
    readonly bytes: number,
    readonly limit: number,
  ) {
    super(
      EventTooLargeError.code,
      `Event "${eventType}" is ${bytes} bytes serialized; the limit (maxEventBytes) is ${limit}. ` +
        'Store large blobs elsewhere and keep a reference in the event, or raise maxEventBytes.',
    );
  }
}
