import { EventSourcingError } from './event-sourcing.error';

/** `replayParked` was given an id that is not (or no longer) parked. */
export class ParkedEventNotFoundError extends EventSourcingError {
  static readonly code = 'parked-event-not-found';

  constructor(readonly parkedId: number) {
    super(
      ParkedEventNotFoundError.code,
      `No parked event has id ${parkedId}; it may have been replayed already. ` +
        'List the current ones with SubscriptionManager.listParked().',
    );
  }
}
