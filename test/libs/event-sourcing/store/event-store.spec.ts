import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import { CelloMetrics, isCelloError } from '@cello/core';
import { Registry } from 'prom-client';
import { Aggregate } from '@cello/event-sourcing/aggregate/aggregate';
import { AggregateRoot } from '@cello/event-sourcing/decorators/aggregate-root.decorator';
import { AggregateNotFoundError } from '@cello/event-sourcing/errors/aggregate-not-found.error';
import { AppendBatchTooLargeError } from '@cello/event-sourcing/errors/append-batch-too-large.error';
import { ConcurrencyError } from '@cello/event-sourcing/errors/concurrency.error';
import { MissingStreamIdError } from '@cello/event-sourcing/errors/missing-stream-id.error';
import { UnknownEventTypeError } from '@cello/event-sourcing/errors/unknown-event-type.error';
import type { Event } from '@cello/event-sourcing/event/event';
import type { EventSourcingModuleOptions } from '@cello/event-sourcing/event-sourcing-module-options';
import { EventRegistry } from '@cello/event-sourcing/event/event-registry';
import { EventSerializer } from '@cello/event-sourcing/serialization/event-serializer';
import { Order, OrderCancelled, OrderCreated, OrderShipped } from '../__fixtures__/order.fixture';
import type {
  ReadStreamOptions,
  ReplayStreamOptions,
} from '@cello/event-sourcing/store/event-storage';
import { EventStore } from '@cello/event-sourcing/store/event-store';
import { MemoryEventStorage } from '@cello/event-sourcing/store/memory/memory-event-storage';

@AggregateRoot({ type: 'Order', snapshotSchemaVersion: 2 })
class OrderV2 extends Order {}

const storages: MemoryEventStorage[] = [];
afterEach(async () => {
  await Promise.all(storages.splice(0).map((storage) => storage.close()));
});

/** The facade over the real (native) memory backend, with its stream reads recorded. */
function setup(options: EventSourcingModuleOptions = {}, metrics?: CelloMetrics) {
  const storage = new MemoryEventStorage();
  storages.push(storage);
  const reads: ReadStreamOptions[] = [];
  const readStream = storage.readStream.bind(storage);
  jest.spyOn(storage, 'readStream').mockImplementation((streamId, readOptions) => {
    reads.push({ ...readOptions });
    return readStream(streamId, readOptions);
  });
  const replays: ReplayStreamOptions[] = [];
  const replayStream = storage.replayStream.bind(storage);
  jest.spyOn(storage, 'replayStream').mockImplementation((streamId, replayOptions, onEvent) => {
    replays.push({ ...replayOptions });
    return replayStream(streamId, replayOptions, onEvent);
  });
  const registry = new EventRegistry();
  const store = new EventStore(
    storage,
    new EventSerializer(registry, options),
    registry,
    options,
    metrics,
  );
  const replaceSnapshotState = async (streamId: string, change: (state: Buffer) => Buffer) => {
    const snapshot = (await storage.loadSnapshot(streamId, 'Order'))!;
    await storage.saveSnapshot({ ...snapshot, state: change(Buffer.from(snapshot.state)) });
  };
  return { storage, store, reads, replays, replaceSnapshotState };
}

async function createOrderWithShipments(store: EventStore, id: string, shipments: number) {
  const order = Order.create(id, 'c-1', [{ sku: 'A', quantity: 1 }]);
  for (let index = 0; index < shipments; index++) order.ship(`T-${index}`);
  await store.save(order);
  return order;
}

describe('EventStore (over the native memory storage)', () => {
  describe('when append(event) is given an event that names its stream', () => {
    it('should append it to that stream', async () => {
      const { store } = setup();
      const result = await store.append(new OrderCreated('o-1', 'c-1', []));
      expect(result).toMatchObject({ streamVersion: 1, positions: [1], duplicate: false });
      const [recorded] = await store.readStream('o-1');
      expect(recorded).toMatchObject({
        streamId: 'o-1',
        version: 1,
        position: 1,
        type: 'OrderCreated',
      });
      expect(recorded.event).toBeInstanceOf(OrderCreated);
      expect(recorded.recordedAt).toBeInstanceOf(Date);
    });

    it('should throw MissingStreamIdError when the event names no stream', async () => {
      const { store } = setup();
      const error = await store.append(new OrderCancelled('o-1', 'x')).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(MissingStreamIdError);
      expect((error as Error).message).toMatch(/"OrderCancelled" has no streamId/);
    });
  });

  describe('when an append is over maxBatchSize', () => {
    it('should throw AppendBatchTooLargeError and write nothing', async () => {
      const { store } = setup({ maxBatchSize: 2 });
      const events = [1, 2, 3].map(() => new OrderCancelled('o-1', 'x'));
      const error = await store.append('o-1', events).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(AppendBatchTooLargeError);
      expect(error).toMatchObject({ streamId: 'o-1', count: 3, limit: 2 });
      expect(await store.streamVersion('o-1')).toBe(0);
    });
  });

  describe('when append metadata is given', () => {
    it('should store it with every event, without internal keys on read', async () => {
      const { store } = setup();
      await store.append('o-1', [new OrderCreated('o-1', 'c', [])], {
        metadata: { userId: 'u-1' },
      });
      const [recorded] = await store.readAll();
      expect(recorded.metadata).toEqual({ userId: 'u-1' });
    });
  });

  describe('when an aggregate is saved and loaded', () => {
    it('should rebuild it from its events', async () => {
      // Given
      const { store } = setup();
      await createOrderWithShipments(store, 'o-1', 1);
      // When
      const loaded = await store.load(Order, 'o-1');
      // Then
      expect(loaded).toBeInstanceOf(Order);
      expect(loaded).toMatchObject({
        id: 'o-1',
        status: 'shipped',
        trackingNumber: 'T-0',
        version: 2,
      });
      expect(loaded.createdAt).toBeInstanceOf(Date);
      expect(loaded.uncommittedEvents).toHaveLength(0);
    });

    it('should save with the loaded version as the expected version', async () => {
      // Given: two copies loaded at the same version
      const { store } = setup();
      await createOrderWithShipments(store, 'o-1', 0);
      const first = await store.load(Order, 'o-1');
      const second = await store.load(Order, 'o-1');
      first.ship('T-1');
      await store.save(first);
      // When
      second.cancel('late');
      const error = await store.save(second).catch((e: unknown) => e);
      // Then
      expect(error).toBeInstanceOf(ConcurrencyError);
      expect(error).toMatchObject({ streamId: 'o-1', expected: 1, actual: 2 });
      expect(second.uncommittedEvents).toHaveLength(1);
    });

    it('should clear pending events and move the committed version after a save', async () => {
      const { store } = setup();
      const order = await createOrderWithShipments(store, 'o-1', 2);
      expect(order.uncommittedEvents).toHaveLength(0);
      expect(order.committedVersion).toBe(3);
      order.cancel('x');
      await store.save(order);
      expect(order.committedVersion).toBe(4);
    });

    it('should throw AggregateNotFoundError for a stream without events', async () => {
      const { store } = setup();
      const error = await store.load(Order, 'nope').catch((e: unknown) => e);
      expect(error).toBeInstanceOf(AggregateNotFoundError);
      expect(isCelloError(error, 'aggregate-not-found')).toBe(true);
      expect((error as Error).message).toMatch(/Order "nope" not found/);
    });

    it('should replay a long stream through the storage, a page of readPageSize at a time', async () => {
      // Given
      const { store, reads, replays } = setup({ readPageSize: 10, snapshotInterval: 0 });
      await createOrderWithShipments(store, 'o-1', 24);
      reads.length = 0;
      // When
      const loaded = await store.load(Order, 'o-1');
      // Then
      expect(loaded).toMatchObject({ version: 25, committedVersion: 25, trackingNumber: 'T-23' });
      expect(replays).toEqual([{ fromVersion: 1, pageSize: 10 }]);
      expect(reads).toEqual([]);
    });

    it('should replay through readStream in pages when the storage has no replayStream', async () => {
      // Given: a storage without the optional streaming replay
      const { store, storage, reads } = setup({ readPageSize: 10, snapshotInterval: 0 });
      Object.defineProperty(storage, 'replayStream', { value: undefined });
      await createOrderWithShipments(store, 'o-1', 24);
      reads.length = 0;
      // When
      const loaded = await store.load(Order, 'o-1');
      // Then
      expect(loaded).toMatchObject({ version: 25, trackingNumber: 'T-23' });
      expect(reads).toEqual([
        { fromVersion: 1, limit: 10 },
        { fromVersion: 11, limit: 10 },
        { fromVersion: 21, limit: 10 },
      ]);
    });

    it('should fail with UnknownEventTypeError naming stream, version and position', async () => {
      // Given: an event type this app does not know, stored as the second event
      const { store, storage } = setup({ snapshotInterval: 0 });
      await store.append('o-1', new OrderCreated('o-1', 'c', []));
      await storage.append(
        'o-1',
        [
          {
            eventId: randomUUID(),
            type: 'OrderTeleported',
            schemaVersion: 1,
            data: '{}',
            metadata: '{}',
          },
        ],
        'any',
      );
      // When
      const error = await store.load(Order, 'o-1').catch((e: unknown) => e);
      // Then
      expect(error).toBeInstanceOf(UnknownEventTypeError);
      expect(error).toMatchObject({
        eventType: 'OrderTeleported',
        streamId: 'o-1',
        version: 2,
        position: 2,
      });
    });

    it('should restore Dates inside payloads and keep event ids', async () => {
      // Given
      const { store } = setup({ snapshotInterval: 0 });
      const createdAt = new Date('2026-03-04T05:06:07.089Z');
      const created = new OrderCreated('o-1', 'c-1', [], createdAt);
      await store.append('o-1', created);
      const seen: OrderCreated[] = [];
      jest.spyOn(Order.prototype, 'loadFromHistory').mockImplementationOnce(function (
        this: Order,
        events: Iterable<Event>,
      ) {
        for (const event of events) seen.push(event as OrderCreated);
        return Aggregate.prototype.loadFromHistory.call(this, seen);
      });
      // When
      const loaded = await store.load(Order, 'o-1');
      // Then
      expect(loaded.createdAt).toEqual(createdAt);
      expect(seen).toHaveLength(1);
      expect(seen[0]).toBeInstanceOf(OrderCreated);
      expect(seen[0].eventId).toBe(created.eventId);
      expect(seen[0].createdAt).toEqual(createdAt);
    });
  });

  describe('when snapshots are taken', () => {
    it('should snapshot automatically when a save crosses a multiple of snapshotInterval', async () => {
      const { store, storage } = setup({ snapshotInterval: 5 });
      const order = await createOrderWithShipments(store, 'o-1', 3); // version 4
      expect(await storage.loadSnapshot('o-1', 'Order')).toBeUndefined();
      order.ship('T-x');
      order.ship('T-y'); // version 6 crosses 5
      await store.save(order);
      expect((await storage.loadSnapshot('o-1', 'Order'))?.version).toBe(6);
    });

    it('should snapshot on load when events appended outside save() made a long tail', async () => {
      // Given: 6 events appended with append(), which never snapshots
      const { store, storage, replays } = setup({ snapshotInterval: 5 });
      await store.append('o-1', [
        new OrderCreated('o-1', 'c', []),
        ...[1, 2, 3, 4, 5].map((n) => new OrderShipped('o-1', `T-${n}`)),
      ]);
      // When
      await store.load(Order, 'o-1');
      replays.length = 0;
      const again = await store.load(Order, 'o-1');
      // Then
      expect((await storage.loadSnapshot('o-1', 'Order'))?.version).toBe(6);
      expect(replays[0]).toEqual({ fromVersion: 7, pageSize: 1000 });
      expect(again).toMatchObject({ version: 6, trackingNumber: 'T-5' });
    });

    it('should load from the snapshot plus the tail only', async () => {
      // Given
      const { store, replays } = setup({ snapshotInterval: 0 });
      await createOrderWithShipments(store, 'o-1', 3);
      expect(await store.createSnapshot(Order, 'o-1')).toEqual({ version: 4 });
      const order = await store.load(Order, 'o-1');
      order.cancel('changed mind');
      await store.save(order);
      replays.length = 0;
      // When
      const loaded = await store.load(Order, 'o-1');
      // Then
      expect(replays[0]).toEqual({ fromVersion: 5, pageSize: 1000 });
      expect(loaded).toMatchObject({ status: 'cancelled', trackingNumber: 'T-2', version: 5 });
      expect(loaded.createdAt).toBeInstanceOf(Date);
    });

    it('should ignore a snapshot of another schema version, rebuild, and re-snapshot', async () => {
      // Given: a snapshot written with schema 1
      const { store, storage, replays, replaceSnapshotState } = setup({ snapshotInterval: 0 });
      await createOrderWithShipments(store, 'o-1', 2);
      await store.createSnapshot(Order, 'o-1');
      await replaceSnapshotState('o-1', () => Buffer.from('not even valid'));
      replays.length = 0;
      // When: the class now declares schema 2
      const loaded = await store.load(OrderV2, 'o-1');
      // Then
      expect(replays[0]).toEqual({ fromVersion: 1, pageSize: 1000 });
      expect(loaded).toMatchObject({ status: 'shipped', version: 3 });
      expect(await storage.loadSnapshot('o-1', 'Order')).toMatchObject({
        schemaVersion: 2,
        version: 3,
      });
    });

    it('should rebuild from events when the snapshot bytes are damaged', async () => {
      const { store, replaceSnapshotState } = setup({ snapshotInterval: 0 });
      await createOrderWithShipments(store, 'o-1', 2);
      await store.createSnapshot(Order, 'o-1');
      await replaceSnapshotState('o-1', (state) => {
        state[state.length - 1] ^= 0xff;
        return state;
      });
      const loaded = await store.load(Order, 'o-1');
      expect(loaded).toMatchObject({ status: 'shipped', version: 3 });
    });
  });

  describe('when a whole stream is streamed', () => {
    it('should yield every event in order, page by page', async () => {
      const { store, reads } = setup({ snapshotInterval: 0 });
      await createOrderWithShipments(store, 'o-1', 6);
      reads.length = 0;
      const versions: number[] = [];
      for await (const recorded of store.streamEvents('o-1', { pageSize: 3 })) {
        versions.push(recorded.version);
        if (recorded.version > 1) expect(recorded.event).toBeInstanceOf(OrderShipped);
      }
      expect(versions).toEqual([1, 2, 3, 4, 5, 6, 7]);
      expect(reads.every((read) => read.limit === 3)).toBe(true);
    });
  });

  describe('when the same events are appended again', () => {
    it('should pass through the first write as a duplicate', async () => {
      const { store } = setup();
      const events = [new OrderCreated('o-1', 'c', []), new OrderShipped('o-1', 'T')];
      const first = await store.append('o-1', events, { expectedVersion: 0 });
      const again = await store.append('o-1', events, { expectedVersion: 0 });
      expect(again).toEqual({ ...first, duplicate: true });
    });
  });

  describe('when CelloMetrics is present', () => {
    it('should count appended and replayed events, snapshots and conflicts', async () => {
      // Given
      const registry = new Registry();
      const { store } = setup({ snapshotInterval: 0 }, new CelloMetrics({ registry }));
      const order = await createOrderWithShipments(store, 'o-1', 1);
      // When
      await store.load(Order, 'o-1');
      await store.createSnapshot(Order, 'o-1');
      order.cancel('x');
      await store.save(order);
      await store
        .append('o-1', new OrderCancelled('o-1', 'y'), { expectedVersion: 1 })
        .catch(() => 0);
      // Then
      const text = await registry.metrics();
      expect(text).toContain('cello_events_appended_total{event_type="OrderCreated"} 1');
      expect(text).toContain('cello_events_appended_total{event_type="OrderShipped"} 1');
      expect(text).toContain('cello_events_appended_total{event_type="OrderCancelled"} 1');
      expect(text).toContain('cello_events_replayed_total{aggregate="Order"} 4');
      expect(text).toContain('cello_snapshots_created_total{aggregate="Order"} 1');
      expect(text).toContain('cello_concurrency_conflicts_total 1');
      expect(text).toContain('cello_event_append_duration_seconds_count 3');
    });
  });
});
