import { EventSourcingError } from './event-sourcing.error';

/** An inline projection's rebuild was started inside a transaction, which it would wait for forever. */
export class RebuildInsideTransactionError extends EventSourcingError {
  static readonly code = 'rebuild-inside-transaction';

  constructor(readonly projection: string) {
    super(
      RebuildInsideTransactionError.code,
      `Cannot rebuild inline projection "${projection}" inside an EventStore.transaction: the ` +
        'rebuild waits for the transactions in flight, this one included. Start it outside.',
    );
  }
}
