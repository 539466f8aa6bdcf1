import type { AsyncModuleOptions } from '@cello/core';
import type { DataSource } from 'typeorm';
import type { SubscriberStartFrom } from './decorators/event-subscriber.decorator';
import type { EventClass } from './event/event';
import type { EventStorage } from './store/event-storage';
import type { SubscriberErrorClassifier } from './subscriptions/subscriber-definition';
import type { UpcasterRegistration } from './upcasting/upcaster';

/** What a subscriber does with an event that still fails after its retries. */
export type SubscriberFailurePolicy = 'park-and-continue' | 'stop';

/** Defaults for every subscriber; `@EventSubscriber(...)` overrides them per class. */
export interface SubscriptionOptions {
  /**
   * Attempts per event before it is parked, counting only errors that are not
   * transient: transient ones (see `isTransient`) are retried without limit. Default 5.
   */
  maxAttempts?: number;
  /** First retry delay in milliseconds, doubled each attempt with jitter. Default 100. */
  retryDelayMs?: number;
  /** Longest delay between two attempts, in milliseconds (with ±50% jitter). Default 5000. */
  maxRetryDelayMs?: number;
  /**
   * Which handler errors are transient (retried without limit, never parked):
   * true, false, or undefined to leave it to Cello's `isTransientError`.
   * `@EventSubscriber({ isTransient })` overrides it. Default: Cello's alone.
   */
  isTransient?: SubscriberErrorClassifier;
  /** After the last attempt: park the event and move on, or stop the subscriber. Default 'park-and-continue'. */
  onFailure?: SubscriberFailurePolicy;
  /** Events read per batch. Default 500. */
  batchSize?: number;
  /**
   * Where a subscriber without a checkpoint starts: 'beginning' (the whole log), 'end'
   * (events appended from its start on) or after a given position. Default 'beginning'.
   */
  startFrom?: SubscriberStartFrom;
  /** Polling interval when no wake-up arrives, in milliseconds. Default 1000. */
  pollIntervalMs?: number;
  /**
   * Lease time-to-live for a processor across instances, in milliseconds: a dead
   * holder's subscribers are taken over within about this plus `pollIntervalMs`.
   * Renewed every third of it. Default 5000.
   */
  leaseTtlMs?: number;
  /** Start subscribers when the application boots. Default true. */
  autoStart?: boolean;
}

/** Options of `EventSourcingModule.forRoot`, as the seed's `EventSourcingConfig`. */
export interface EventSourcingModuleOptions {
  /**
   * Where events live: `'memory'` (the Rust in-memory store, default), a
   * `postgresql://` or `mysql://` URL, a TypeORM `DataSource` (PostgreSQL,
   * MySQL or MariaDB), or an `EventStorage` instance.
   */
  storage?: 'memory' | string | DataSource | EventStorage;
  /** Snapshot an aggregate automatically every N events; 0 turns it off. Default 100. */
  snapshotInterval?: number;
  /** Allow replaying the log into subscribers (reset and rebuild). Default true. */
  enableReplay?: boolean;
  /** Prefix of the backend's table names. Default 'cello_'. */
  tablePrefix?: string;
  /** Database schema of the tables (on MySQL: the database). Default 'public' (MySQL: the URL's database). */
  schema?: string;
  /**
   * Longest one storage statement may run before the call fails with
   * `EventStoreUnavailableError`, in milliseconds (PostgreSQL). Keep it below the
   * command timeout so a stalled database reads as unavailable, not as a slow
   * handler. Default 30000.
   */
  statementTimeoutMs?: number;
  /**
   * Connections in the pool the storage opens for a `postgresql://` or `mysql://` URL
   * (a DataSource keeps its own pool). Default 10.
   */
  poolSize?: number;
  /**
   * MySQL/MariaDB only: how often, in milliseconds, the log head is polled to wake the
   * subscribers for appends made by other instances (MySQL has no NOTIFY; an instance's
   * own appends wake them at once). Default 250.
   */
  pollIntervalMs?: number;
  /** Largest serialized event payload accepted, in bytes. Default 1 MiB. */
  maxEventBytes?: number;
  /** Most events in one append. Default 10000. */
  maxBatchSize?: number;
  /** Subscriber defaults. */
  subscriptions?: SubscriptionOptions;
  /**
   * Events fetched per round trip by `streamEvents`, and by `load` on MySQL and custom storages.
   * (PostgreSQL's `load` streams the whole tail in one query, holding no page; the memory
   * store's `load` reads at most 256 events per native call.) Default 1000.
   */
  readPageSize?: number;
  /** Aggregate classes used app-wide; their `@EventHandler` events are registered. Default []. */
  aggregates?: (abstract new () => object)[];
  /** Event classes read back from the store that no listed aggregate handles. Default []. */
  events?: EventClass[];
  /** Upcasters of older event schema versions (`@Upcaster` classes or definitions). Default []. */
  upcasters?: UpcasterRegistration[];
}

/** A class that creates the module's options, for `forRootAsync({ useClass | useExisting })`. */
export interface EventSourcingOptionsFactory {
  /** The module options. */
  createEventSourcingOptions(): EventSourcingModuleOptions | Promise<EventSourcingModuleOptions>;
}

/** Options of `EventSourcingModule.forRootAsync`: `useFactory` (with `inject`), `useClass` or `useExisting`. */
export type EventSourcingModuleAsyncOptions = AsyncModuleOptions<
  EventSourcingModuleOptions,
  EventSourcingOptionsFactory
>;
