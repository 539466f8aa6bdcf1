import { EventSourcingError } from './event-sourcing.error';

/** The event store's storage could not be reached (down, timed out, not yet connected). */
export class EventStoreUnavailableError extends EventSourcingError {
  static readonly code = 'event-store-unavailable';

  constructor(detail: string, options?: { cause?: unknown }) {
    super(EventStoreUnavailableError.code, `Event store unavailable: ${detail}`, options);
  }
}
