import { CelloMetrics, isCelloError } from '@cello/core';
import {
  ambientEventMetadata,
  enableMessageContext,
  traced,
  withTraceContext,
} from '@cello/core/internal';
import { Inject, Injectable, Logger, Optional } from '@nestjs/common';
import type { Aggregate, AggregateClass } from '../aggregate/aggregate';
import { getAggregateRootMetadata } from '../decorators/aggregate-root.decorator';
import { EVENT_SOURCING_OPTIONS, EVENT_STORAGE } from '../event-sourcing.constants';
import type { EventSourcingModuleOptions } from '../event-sourcing-module-options';
import { AggregateNotFoundError } from '../errors/aggregate-not-found.error';
import { AppendBatchTooLargeError } from '../errors/append-batch-too-large.error';
import { ConcurrencyError } from '../errors/concurrency.error';
import { MissingStreamIdError } from '../errors/missing-stream-id.error';
import { RebuildInsideTransactionError } from '../errors/rebuild-inside-transaction.error';
import { SubscriberNotFoundError } from '../errors/subscriber-not-found.error';
import type { Event, EventClass } from '../event/event';
import { ownMetadataOf } from '../event/own-metadata';
import { EventRegistry } from '../event/event-registry';
import type { RecordedEvent } from '../event/recorded-event';
import { EventSerializer } from '../serialization/event-serializer';
import { decodeSnapshotState } from '../serialization/snapshot-codec';
import { AggregateSnapshotter } from './aggregate-snapshotter';
import type { AppendOptions, StreamEventsOptions } from './append-options';
import {
  replayAggregate,
  replayAggregateUpTo,
  type AggregateReplaySource,
} from './aggregate-replay';
import { TransactionsUnsupportedError } from '../errors/transactions-unsupported.error';
import type { EventToAppend } from './event-log';
import { EventStoreTransaction, type PrepareAppend } from './event-store-transaction';
import type { InlineProjection, InlineProjectionStatus } from './inline-projection';
import { rebuildInlineProjection } from './inline-projection-rebuild';
import { InlineProjectionSet } from './inline-projection-set';
import type { LoadOptions } from './load-options';
import { checkExpectedVersion } from './expected-version-check';
import { readOption } from './read-option';
import type {
  AppendResult,
  EventStorage,
  ReadAllOptions,
  ReadStreamOptions,
} from './event-storage';

/** Default `snapshotInterval`. */
export const DEFAULT_SNAPSHOT_INTERVAL = 100;
/** Default `maxBatchSize`. */
export const DEFAULT_MAX_BATCH_SIZE = 10_000;
/** Default `readPageSize`: events per round trip when replaying a stream. */
export const DEFAULT_READ_PAGE_SIZE = 1000;

/**
 * The event store applications use: appends and reads typed events, loads and
 * saves aggregates (snapshot plus replay of the tail), takes snapshots. It does
 * serialization, upcasting and snapshot policy over an `EventStorage` backend.
 */
@Injectable()
export class EventStore {
  private readonly logger = new Logger('EventStore');
  private readonly snapshotInterval: number;
  private readonly maxBatchSize: number;
  private readonly readPageSize: number;
  private readonly metrics: CelloMetrics;
  private readonly inlineProjections = new InlineProjectionSet();
  private readonly replaySource: AggregateReplaySource;
  private readonly snapshotter: AggregateSnapshotter;

  constructor(
    @Inject(EVENT_STORAGE) private readonly storage: EventStorage,
    private readonly serializer: EventSerializer,
    private readonly registry: EventRegistry,
    @Inject(EVENT_SOURCING_OPTIONS) options: EventSourcingModuleOptions,
    // Present when the app imports CelloMetricsModule; metrics are optional.
    @Optional() metrics?: CelloMetrics,
  ) {
    this.metrics = metrics ?? CelloMetrics.disabled;
    enableMessageContext();
    this.snapshotInterval = options.snapshotInterval ?? DEFAULT_SNAPSHOT_INTERVAL;
    this.maxBatchSize = options.maxBatchSize ?? DEFAULT_MAX_BATCH_SIZE;
    this.readPageSize = options.readPageSize ?? DEFAULT_READ_PAGE_SIZE;
    this.snapshotter = new AggregateSnapshotter(storage, this.metrics, this.logger);
    this.replaySource = {
      storage,
      serializer,
      readPageSize: this.readPageSize,
      streamEvents: (streamId, streamOptions) => this.streamEvents(streamId, streamOptions),
    };
  }

  /** Appends an event to the stream it names (`event.streamId`), with no version check. */
  append(event: Event): Promise<AppendResult>;
  /** Appends events to `streamId`, all or none, checking `expectedVersion` when given. */
  append(
    streamId: string,
    events: Event | readonly Event[],
    options?: AppendOptions,
  ): Promise<AppendResult>;
  async append(
    streamOrEvent: string | Event,
    events?: Event | readonly Event[],
    options: AppendOptions = {},
  ): Promise<AppendResult> {
    if (typeof streamOrEvent !== 'string') {
      const streamId = streamOrEvent.streamId;
      if (typeof streamId !== 'string' || streamId === '') {
        const eventType = this.registry.typeOf(streamOrEvent.constructor as EventClass).name;
        throw new MissingStreamIdError(
          `append(event) needs the event to name its stream, but "${eventType}" has no streamId. ` +
            'Override `get streamId()` in the event class, or call append(streamId, events).',
        );
      }
      return this.appendEvents(streamId, [streamOrEvent], {});
    }
    const list: readonly Event[] =
      events === undefined ? [] : Array.isArray(events) ? events : [events as Event];
    return this.appendEvents(streamOrEvent, list, options);
  }

  /**
   * Runs `work` in one transaction: its appends to any number of streams
   * and, on PostgreSQL and MySQL, its own SQL through `tx.manager` (a TypeORM
   * `EntityManager`) are stored together when `work` resolves, or not at all
   * when it throws. A `ConcurrencyError` from a `tx.append` with an
   * `expectedVersion` rolls everything back when it propagates.
   */
  transaction<T>(work: (tx: EventStoreTransaction) => Promise<T>): Promise<T> {
    const storage = this.storage;
    if (storage.transaction === undefined) {
      return Promise.reject(new TransactionsUnsupportedError(storage.constructor.name));
    }
    const prepare: PrepareAppend = (streamId, events, options) =>
      this.prepareAppend(streamId, events, options);
    const projections = this.inlineProjections;
    const project = projections.project.bind(projections);
    const run = () =>
      storage.transaction!((tx) => work(new EventStoreTransaction(tx, prepare, project)));
    // Tracked only when something projects: a rebuild waits for these transactions.
    return projections.isEmpty ? run() : projections.run(run);
  }

  /**
   * Runs `projection` inside every later append's transaction (and every
   * `transaction`'s appends): on PostgreSQL and MySQL it writes through the
   * transaction's `EntityManager`, so its read model is never behind; its
   * error rolls the append back as `InlineProjectionError`. On memory it runs
   * before the append is stored, and its error refuses the append. Returns
   * a function that unregisters it. Throws `DuplicateSubscriberNameError` when
   * one of that name is registered.
   */
  registerInlineProjection(projection: InlineProjection): () => void {
    return this.inlineProjections.register(projection);
  }

  /**
   * Rebuilds the inline projection `name`: calls its `reset(manager)`, replays
   * the whole log into it a page per transaction (`readPageSize` events),
   * then runs it inline again. Appends go on meanwhile and skip it; they wait
   * only while the last page is replayed, so each event is applied once, in order.
   * A second call while it runs joins it. Its error leaves the projection
   * `failed` (skipped by appends) until a rebuild succeeds.
   */
  rebuildInlineProjection(name: string): Promise<void> {
    const entry = this.inlineProjections.entry(name);
    if (!entry) {
      return Promise.reject(new SubscriberNotFoundError(name, this.inlineProjections.names));
    }
    if (this.inlineProjections.insideTransaction) {
      return Promise.reject(new RebuildInsideTransactionError(name));
    }
    return rebuildInlineProjection(this.inlineProjections, entry, {
      storage: this.storage,
      decode: (stored) => this.serializer.deserialize(stored).event,
      pageSize: this.readPageSize,
    });
  }

  /** Every inline projection's state: inline, rebuilding (and how far) or failed. */
  inlineProjectionStatus(): InlineProjectionStatus[] {
    return this.inlineProjections.status();
  }

  /** Events of one stream in version order, as recorded envelopes. */
  async readStream<E extends Event = Event>(
    streamId: string,
    options: ReadStreamOptions = {},
  ): Promise<RecordedEvent<E>[]> {
    // Checked here so that every backend refuses the same options the same way.
    readOption('fromVersion', options.fromVersion, 1);
    readOption('limit', options.limit, 0);
    const stored = await this.storage.readStream(streamId, options);
    return stored.map((row) => this.serializer.deserialize<E>(row));
  }

  /** Events of all streams in global order, never past a gap still in flight. */
  async readAll<E extends Event = Event>(
    options: ReadAllOptions = {},
  ): Promise<RecordedEvent<E>[]> {
    readOption('fromPosition', options.fromPosition, 0);
    readOption('limit', options.limit, 0);
    const stored = await this.storage.readAll(options);
    return stored.map((row) => this.serializer.deserialize<E>(row));
  }

  /** Streams a whole stream page by page (keyset on version): memory stays bounded. */
  async *streamEvents<E extends Event = Event>(
    streamId: string,
    options: StreamEventsOptions = {},
  ): AsyncGenerator<RecordedEvent<E>, void, undefined> {
    const pageSize = readOption('pageSize', options.pageSize, this.readPageSize, 1);
    let fromVersion = readOption('fromVersion', options.fromVersion, 1);
    for (;;) {
      const page = await this.storage.readStream(streamId, { fromVersion, limit: pageSize });
      for (const row of page) yield this.serializer.deserialize<E>(row);
      if (page.length === 0 || page.length < pageSize) return;
      fromVersion = page[page.length - 1].version + 1;
    }
  }

  /** The stream's current version, 0 when it has no events. */
  streamVersion(streamId: string): Promise<number> {
    return this.storage.streamVersion(streamId);
  }

  /** Whether the stream has at least one event. */
  async streamExists(streamId: string): Promise<boolean> {
    return (await this.storage.streamVersion(streamId)) > 0;
  }

  /**
   * Rebuilds an aggregate: its newest snapshot of the current state schema,
   * then the events after it, read in pages. Throws `AggregateNotFoundError`
   * when the stream has no events. Snapshots again when the snapshot was stale
   * or the replayed tail reached `snapshotInterval`. With `toVersion`, rebuilds
   * the aggregate as it was at that version (`InvalidReadOptionsError` unless it
   * is a whole number >= 1) and never snapshots.
   */
  load<A extends Aggregate>(
    aggregateClass: AggregateClass<A>,
    id: string,
    options: LoadOptions = {},
  ): Promise<A> {
    return traced(
      `load ${aggregateClass.name}`,
      () => ({
        attributes: {
          'db.operation.name': 'load',
          'cello.aggregate.type': aggregateClass.name,
          'cello.stream.id': id,
          'cello.load.to_version': options.toVersion,
        },
      }),
      () => this.loadAggregate(aggregateClass, id, options),
    );
  }

  private async loadAggregate<A extends Aggregate>(
    aggregateClass: AggregateClass<A>,
    id: string,
    options: LoadOptions,
  ): Promise<A> {
    const toVersion =
      options.toVersion === undefined
        ? undefined
        : readOption('toVersion', options.toVersion, 1, 1);
    this.registry.registerAggregate(aggregateClass);
    const { type, snapshotSchemaVersion } = getAggregateRootMetadata(aggregateClass);
    const aggregate = new aggregateClass();
    aggregate.id = id;
    let staleSnapshot = false;
    const newest = await this.storage.loadSnapshot(id, type);
    // Only the newest snapshot is kept: one past toVersion is of no use, replay from the start.
    const snapshot =
      newest && toVersion !== undefined && newest.version > toVersion ? undefined : newest;
    if (snapshot && snapshot.schemaVersion === snapshotSchemaVersion) {
      try {
        aggregate.restoreSnapshot(decodeSnapshotState(type, snapshot.state), snapshot.version);
      } catch (error) {
        // An unreadable snapshot only costs a full replay; the events are the truth.
        this.logger.warn(`Ignoring unreadable snapshot of ${type} "${id}": ${String(error)}`);
        staleSnapshot = true;
      }
    } else if (snapshot) {
      staleSnapshot = true;
    }
    const fromVersion = aggregate.version + 1;
    if (toVersion === undefined)
      await replayAggregate(this.replaySource, aggregate, id, fromVersion);
    else await replayAggregateUpTo(this.replaySource, aggregate, id, fromVersion, toVersion);
    if (aggregate.version === 0) throw new AggregateNotFoundError(type, id);
    const replayed = aggregate.version - fromVersion + 1;
    if (replayed > 0) this.metrics.eventsReplayed?.inc({ aggregate: type }, replayed);
    // A past state is not the stream's head: a snapshot of it would hide newer events.
    if (toVersion !== undefined) return aggregate;
    // Events appended without save() (e.g. append(event)) never crossed the save-time
    // check: a tail of snapshotInterval or more is snapshotted here instead.
    const longTail = this.snapshotInterval > 0 && replayed >= this.snapshotInterval;
    if (staleSnapshot || longTail) await this.snapshotter.trySave(aggregate);
    return aggregate;
  }

  /**
   * Appends the aggregate's pending events, expecting the stream to be at the
   * version it was loaded at, and snapshots it when it crosses a multiple of
   * `snapshotInterval`. Resolves to undefined when nothing was pending.
   */
  async save(
    aggregate: Aggregate,
    options: Omit<AppendOptions, 'expectedVersion'> = {},
  ): Promise<AppendResult | undefined> {
    const pending = aggregate.uncommittedEvents;
    if (pending.length === 0) return undefined;
    this.registry.registerAggregate(aggregate.constructor);
    if (typeof aggregate.id !== 'string' || aggregate.id === '') {
      throw new MissingStreamIdError(
        `Cannot save ${aggregate.constructor.name}: its id is not set. Set \`this.id\` in the ` +
          'handler of its first event.',
      );
    }
    const before = aggregate.committedVersion;
    const result = await this.appendEvents(aggregate.id, pending, {
      ...options,
      expectedVersion: before,
    });
    aggregate.markCommitted(result.streamVersion);
    const interval = this.snapshotInterval;
    if (
      interval > 0 &&
      Math.floor(before / interval) < Math.floor(result.streamVersion / interval)
    ) {
      await this.snapshotter.trySave(aggregate);
    }
    return result;
  }

  /** Takes a snapshot of the aggregate's current state; resolves to the version it reflects. */
  async createSnapshot<A extends Aggregate>(
    aggregateClass: AggregateClass<A>,
    id: string,
  ): Promise<{ version: number }> {
    const aggregate = await this.load(aggregateClass, id);
    await this.snapshotter.save(aggregate);
    return { version: aggregate.version };
  }

  /** The checks of an append and its serialized events (a transaction's appends). */
  private prepareAppend(
    streamId: string,
    events: readonly Event[],
    options: AppendOptions,
  ): EventToAppend[] {
    if (typeof streamId !== 'string' || streamId === '') {
      throw new MissingStreamIdError('tx.append(streamId, events) needs a non-empty stream id.');
    }
    if (events.length > this.maxBatchSize) {
      throw new AppendBatchTooLargeError(streamId, events.length, this.maxBatchSize);
    }
    return this.serializeForAppend(events, options);
  }

  /**
   * Serializes events with their metadata: the ambient correlation and causation
   * ids, then what the caller passes, then each event's own, each winning over the one before.
   */
  private serializeForAppend(events: readonly Event[], options: AppendOptions): EventToAppend[] {
    // The appending span's trace context goes with the events: subscribers link back to it.
    const given = withTraceContext(options.metadata ?? {});
    const ambient = ambientEventMetadata();
    const metadata = ambient === undefined ? given : { ...ambient, ...given };
    return events.map((event) => {
      const own = ownMetadataOf(event);
      return this.serializer.serialize(
        event,
        own === undefined ? metadata : { ...metadata, ...own },
      );
    });
  }

  private appendEvents(
    streamId: string,
    events: readonly Event[],
    options: AppendOptions,
  ): Promise<AppendResult> {
    return traced(
      'append',
      () => ({
        kind: 'producer',
        attributes: {
          'db.operation.name': 'append',
          'cello.stream.id': streamId,
          'cello.event.count': events.length,
        },
      }),
      () => this.appendUntraced(streamId, events, options),
    );
  }

  private async appendUntraced(
    streamId: string,
    events: readonly Event[],
    options: AppendOptions,
  ): Promise<AppendResult> {
    if (typeof streamId !== 'string' || streamId === '') {
      throw new MissingStreamIdError('append(streamId, events) needs a non-empty stream id.');
    }
    if (events.length > this.maxBatchSize) {
      throw new AppendBatchTooLargeError(streamId, events.length, this.maxBatchSize);
    }
    const expected = options.expectedVersion ?? 'any';
    if (events.length === 0) {
      // Nothing to write, but the expected version holds or fails as for any append.
      const version = await this.storage.streamVersion(streamId);
      try {
        checkExpectedVersion(streamId, expected, version);
      } catch (error) {
        if (isCelloError(error, ConcurrencyError.code)) this.metrics.concurrencyConflicts?.inc();
        throw error;
      }
      return { streamVersion: version, positions: [], duplicate: false };
    }
    // Only with inline projections does an append become a transaction: the plain path is unchanged.
    if (!this.inlineProjections.isEmpty) return this.appendProjected(streamId, events, options);
    const rows = this.serializeForAppend(events, options);
    const stopTimer = this.metrics.eventAppendDuration?.startTimer();
    try {
      const result = await this.storage.append(streamId, rows, expected);
      if (!result.duplicate && this.metrics.eventsAppended) {
        for (const row of rows) this.metrics.eventsAppended.inc({ event_type: row.type });
      }
      return result;
    } catch (error) {
      if (isCelloError(error, ConcurrencyError.code)) this.metrics.concurrencyConflicts?.inc();
      throw error;
    } finally {
      stopTimer?.();
    }
  }

  /** An append in its own transaction, with the inline projections run in it. */
  private async appendProjected(
    streamId: string,
    events: readonly Event[],
    options: AppendOptions,
  ): Promise<AppendResult> {
    let result: AppendResult | undefined;
    try {
      await this.transaction(async (tx) => {
        result = await tx.appendAndProject(streamId, events, options);
      });
    } catch (error) {
      if (isCelloError(error, ConcurrencyError.code)) this.metrics.concurrencyConflicts?.inc();
      throw error;
    }
    return result!;
  }
}
