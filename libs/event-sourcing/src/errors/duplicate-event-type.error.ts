import { EventSourcingError } from './event-sourcing.error';

/** Two different event classes claim the same `@EventType` name. */
export class DuplicateEventTypeError extends EventSourcingError {
  static readonly code = 'duplicate-event-type';

  constructor(
    readonly eventType: string,
    firstClass: string,
    secondClass: string,
  ) {
    super(
      DuplicateEventTypeError.code,
      `@EventType("${eventType}") is used by both ${firstClass} and ${secondClass}. ` +
        'Give each event class its own type name.',
    );
  }
}
