import type { EntityManager } from 'typeorm';
import type { Event } from '../event/event';
import type { AppendOptions } from './append-options';
import type { EventToAppend } from './event-log';
import type { EventLogTransaction, TransactionAppendResult } from './event-log-transaction';

/** Serializes the events of one append, after the same checks as `EventStore.append`. */
export type PrepareAppend = (
  streamId: string,
  events: readonly Event[],
  options: AppendOptions,
) => EventToAppend[];

/**
 * The handle `EventStore.transaction` gives its callback: appends to any
 * number of streams and, on SQL backends, the TypeORM `EntityManager` of the
 * same database transaction. Everything commits when the callback resolves.
 */
export class EventStoreTransaction {
  constructor(
    private readonly storage: EventLogTransaction,
    private readonly prepare: PrepareAppend,
  ) {}

  /**
   * The `EntityManager` of the transaction on PostgreSQL and MySQL (the
   * application's own SQL commits or rolls back with the appends);
   * undefined on the memory storage.
   */
  get manager(): EntityManager | undefined {
    return this.storage.manager;
  }

  /**
   * Appends events to `streamId` in the transaction, checking
   * `expectedVersion` when given (`ConcurrencyError` otherwise: let it
   * propagate and nothing of the transaction is stored).
   */
  append(
    streamId: string,
    events: Event | readonly Event[],
    options: AppendOptions = {},
  ): Promise<TransactionAppendResult> {
    let rows: EventToAppend[];
    try {
      const list: readonly Event[] = Array.isArray(events) ? events : [events as Event];
      rows = this.prepare(streamId, list, options);
    } catch (error) {
      return Promise.reject(error);
    }
    return this.storage.append(streamId, rows, options.expectedVersion ?? 'any');
  }
}
