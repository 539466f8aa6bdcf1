import { EventSourcingError } from './event-sourcing.error';

/** Why the database gave up an `EventStore.transaction`. */
export type TransactionConflictReason = 'deadlock' | 'serialization-failure' | 'lock-wait-timeout';

/**
 * The database rolled an `EventStore.transaction` back because it collided
 * with another one (a deadlock, a serialization failure, a lock wait that
 * timed out): nothing of it is stored, and running the whole callback again
 * may well succeed. Cello does not re-run it for you: the callback may have
 * done things a retry would repeat (calls to other services, in-memory state).
 */
export class TransactionConflictError extends EventSourcingError {
  static readonly code = 'transaction-conflict';
  /** Read by the subscriptions' classifier: a subscriber's transaction that lost is retried. */
  readonly transient = true;

  constructor(
    /** Why the database gave the transaction up. */
    readonly reason: TransactionConflictReason,
    /** "PostgreSQL" or "MySQL". */
    readonly engine: string,
    cause: unknown,
  ) {
    super(
      TransactionConflictError.code,
      `${engine} rolled the transaction back (${reason}): it collided with another transaction. ` +
        'Nothing of it was stored; run the whole transaction callback again.',
      { cause },
    );
  }
}
