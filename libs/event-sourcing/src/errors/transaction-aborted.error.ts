import { EventSourcingError } from './event-sourcing.error';

/**
 * The callback of an `EventStore.transaction` resolved although the database
 * had already aborted the transaction: one of its own statements failed and
 * the callback caught the error and went on. PostgreSQL then refuses every
 * later statement and turns the COMMIT into a ROLLBACK, so nothing of the
 * transaction is stored; this error says so instead of a success.
 */
export class TransactionAbortedError extends EventSourcingError {
  static readonly code = 'transaction-aborted';

  constructor(
    /** "PostgreSQL". */
    readonly engine: string,
  ) {
    super(
      TransactionAbortedError.code,
      `${engine} had aborted the transaction: a statement inside the callback failed and the ` +
        'callback went on. Nothing of it was stored. Let that error leave the callback, or wrap ' +
        'the statement in a SAVEPOINT and roll back to it.',
    );
  }
}
