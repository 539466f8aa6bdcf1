import { EventSourcingError } from './event-sourcing.error';

/** A stored event's type name has no registered event class. */
export class UnknownEventTypeError extends EventSourcingError {
  static readonly code = 'unknown-event-type';

  constructor(
    readonly eventType: string,
    readonly streamId: string,
    readonly version: number,
    readonly position: number,
  ) {
    super(
      UnknownEventTypeError.code,
      `Event type "${eventType}" at stream "${streamId}" version ${version} (position ${position}) ` +
        'has no registered class. Add its class to EventSourcingModule.forRoot/forFeature({ events: [...] }) ' +
        'or to an aggregate @EventHandler, with @EventType("' +
        eventType +
        '").',
    );
  }
}
