import { EventSourcingError } from './event-sourcing.error';

/**
 * Thrown by a subscriber's handler to say "not now, try again": the event is
 * retried with backoff, without limit, and never parked (e.g. a service it
 * calls answered 503). Any error with `transient: true` counts the same.
 */
export class TransientError extends EventSourcingError {
  static readonly code = 'transient-error';
  /** Read by the subscriptions' classifier, also across copies of the package. */
  readonly transient = true;

  constructor(message: string, options?: { cause?: unknown }) {
    super(TransientError.code, message, options);
  }
}
