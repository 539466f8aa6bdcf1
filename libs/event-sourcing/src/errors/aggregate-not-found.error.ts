import { EventSourcingError } from './event-sourcing.error';

/** `EventStore.load` found no events for the aggregate's stream. */
export class AggregateNotFoundError extends EventSourcingError {
  static readonly code = 'aggregate-not-found';

  constructor(
    readonly aggregateType: string,
    readonly aggregateId: string,
  ) {
    super(
      AggregateNotFoundError.code,
      `${aggregateType} "${aggregateId}" not found: its stream has no events.`,
    );
  }
}
