import { EventSourcingError } from './event-sourcing.error';

/** A subscriber class is misconfigured (found at start-up). */
export class InvalidSubscriberError extends EventSourcingError {
  static readonly code = 'invalid-subscriber';

  constructor(
    readonly subscriberClass: string,
    readonly reason: string,
  ) {
    super(InvalidSubscriberError.code, `Subscriber ${subscriberClass}: ${reason}`);
  }
}
