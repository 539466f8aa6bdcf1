import type { EntityManager } from 'typeorm';
import type { Event } from '../event/event';
import type { AppendOptions } from './append-options';
import type { AppendResult, EventToAppend } from './event-log';
import type { EventLogTransaction, TransactionAppendResult } from './event-log-transaction';

/** Serializes the events of one append, after the same checks as `EventStore.append`. */
export type PrepareAppend = (
  streamId: string,
  events: readonly Event[],
  options: AppendOptions,
) => EventToAppend[];

/** Runs the inline projections on the events of one append, inside its transaction. */
export type ProjectAppend = (
  streamId: string,
  events: readonly Event[],
  rows: readonly EventToAppend[],
  result: AppendResult,
  manager: EntityManager | undefined,
) => Promise<void>;

/**
 * The handle `EventStore.transaction` gives its callback: appends to any
 * number of streams and, on SQL backends, the TypeORM `EntityManager` of the
 * same database transaction. Everything commits when the callback resolves.
 */
export class EventStoreTransaction {
  /** @internal Built by `EventStore.transaction`. */
  constructor(
    private readonly storage: EventLogTransaction,
    private readonly prepare: PrepareAppend,
    private readonly project?: ProjectAppend,
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
   * propagate and nothing of the transaction is stored). Inline projections
   * run on the events before it resolves.
   */
  async append(
    streamId: string,
    events: Event | readonly Event[],
    options: AppendOptions = {},
  ): Promise<TransactionAppendResult> {
    const result = await this.appendAndProject(streamId, events, options);
    return { streamVersion: result.streamVersion };
  }

  /** The append with the storage's whole result (the facade's inline-projected appends). */
  async appendAndProject(
    streamId: string,
    events: Event | readonly Event[],
    options: AppendOptions,
  ): Promise<AppendResult> {
    const list: readonly Event[] = Array.isArray(events) ? events : [events as Event];
    const rows = this.prepare(streamId, list, options);
    const result = await this.storage.append(streamId, rows, options.expectedVersion ?? 'any');
    await this.project?.(streamId, list, rows, result, this.storage.manager);
    return result;
  }
}
