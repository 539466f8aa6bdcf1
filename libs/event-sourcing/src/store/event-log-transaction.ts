import type { EntityManager } from 'typeorm';
import type { AppendResult, EventToAppend, ExpectedVersion } from './event-log';

/** What an append inside a transaction did, as far as it is known before the commit. */
export interface TransactionAppendResult {
  /** The stream's version once the transaction commits. */
  readonly streamVersion: number;
}

/**
 * The appends of one storage transaction: they are stored together when the
 * transaction's work resolves, or not at all when it throws.
 */
export interface EventLogTransaction {
  /**
   * Appends to `streamId` in the transaction; throws `ConcurrencyError` when
   * `expected` does not hold. On memory, `positions` and `duplicate` are only
   * filled in when the transaction commits.
   */
  append(
    streamId: string,
    events: readonly EventToAppend[],
    expected: ExpectedVersion,
  ): Promise<AppendResult>;
  /** The SQL backends' TypeORM `EntityManager` of the same transaction; undefined in memory. */
  readonly manager: EntityManager | undefined;
}
