import { EventSourcingError } from './event-sourcing.error';

/** A subscription operation named a subscriber that does not exist. */
export class SubscriberNotFoundError extends EventSourcingError {
  static readonly code = 'subscriber-not-found';

  constructor(
    readonly subscriberName: string,
    readonly known: readonly string[],
  ) {
    super(
      SubscriberNotFoundError.code,
      `No subscriber is named "${subscriberName}". Known subscribers: ` +
        `${known.length > 0 ? known.map((name) => `"${name}"`).join(', ') : 'none'}.`,
    );
  }
}
