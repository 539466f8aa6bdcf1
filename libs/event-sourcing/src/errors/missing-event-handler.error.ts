import { EventSourcingError } from './event-sourcing.error';

/** An aggregate applied an event it has no `@EventHandler` for. */
export class MissingEventHandlerError extends EventSourcingError {
  static readonly code = 'missing-event-handler';

  constructor(
    readonly aggregateType: string,
    readonly eventType: string,
    /** A method of the aggregate marked `@EventBatchHandler` for the event, if any. */
    batchMethod?: string,
  ) {
    super(
      MissingEventHandlerError.code,
      `${aggregateType} has no @EventHandler(${eventType}). Add a method decorated with ` +
        `@EventHandler(${eventType}) that applies the event to the state.` +
        (batchMethod === undefined
          ? ''
          : ` Its method ${batchMethod} is marked @EventBatchHandler, which only subscribers ` +
            'use: an aggregate applies its events one at a time.'),
    );
  }
}
