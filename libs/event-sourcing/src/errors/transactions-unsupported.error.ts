import { EventSourcingError } from './event-sourcing.error';

/** `EventStore.transaction` was called on a storage that has no `transaction` method. */
export class TransactionsUnsupportedError extends EventSourcingError {
  static readonly code = 'transactions-unsupported';

  constructor(readonly storage: string) {
    super(
      TransactionsUnsupportedError.code,
      `The event storage ${storage} does not support transactions. ` +
        'Use the memory, PostgreSQL or MySQL storage, or implement EventStorage.transaction.',
    );
  }
}
