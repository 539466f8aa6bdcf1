import { EventSourcingError } from './event-sourcing.error';

/** `tx.append` was called after the transaction's work had resolved or thrown. */
export class TransactionEndedError extends EventSourcingError {
  static readonly code = 'transaction-ended';

  constructor(readonly streamId: string) {
    super(
      TransactionEndedError.code,
      `Cannot append to stream "${streamId}": its transaction has already ended. ` +
        'Await every tx.append inside the transaction callback.',
    );
  }
}
