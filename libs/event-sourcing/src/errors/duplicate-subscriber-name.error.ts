import { EventSourcingError } from './event-sourcing.error';

/** Two subscriber classes share one name, so they would share one checkpoint. */
export class DuplicateSubscriberNameError extends EventSourcingError {
  static readonly code = 'duplicate-subscriber-name';

  constructor(
    readonly subscriberName: string,
    readonly firstClass: string,
    readonly secondClass: string,
  ) {
    super(
      DuplicateSubscriberNameError.code,
      `Subscribers ${firstClass} and ${secondClass} are both named "${subscriberName}", and the name ` +
        'keys the durable checkpoint. Give each a distinct @EventSubscriber({ name: "..." }), or ' +
        'register the class as a provider only once.',
    );
  }
}
