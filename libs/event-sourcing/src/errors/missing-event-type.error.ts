import { EventSourcingError } from './event-sourcing.error';

/** An event class used with the store has no `@EventType` name. */
export class MissingEventTypeError extends EventSourcingError {
  static readonly code = 'missing-event-type';

  constructor(readonly className: string) {
    super(
      MissingEventTypeError.code,
      `Event class ${className} has no @EventType. Add @EventType('${className}') so its stored ` +
        'name survives renames and minification.',
    );
  }
}
