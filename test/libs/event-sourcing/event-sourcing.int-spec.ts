import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import { Test, type TestingModule } from '@nestjs/testing';
import { DataSource } from 'typeorm';
import { usePostgresDatabase } from '../../support/postgres-database';
import { AggregateRoot } from '@cello/event-sourcing/decorators/aggregate-root.decorator';
import { EventType } from '@cello/event-sourcing/decorators/event-type.decorator';
import { AggregateNotFoundError } from '@cello/event-sourcing/errors/aggregate-not-found.error';
import { AppendBatchTooLargeError } from '@cello/event-sourcing/errors/append-batch-too-large.error';
import { ConcurrencyError } from '@cello/event-sourcing/errors/concurrency.error';
import { EventSerializationError } from '@cello/event-sourcing/errors/event-serialization.error';
import { EventStoreUnavailableError } from '@cello/event-sourcing/errors/event-store-unavailable.error';
import { EventTooLargeError } from '@cello/event-sourcing/errors/event-too-large.error';
import { MissingStreamIdError } from '@cello/event-sourcing/errors/missing-stream-id.error';
import { UnknownEventTypeError } from '@cello/event-sourcing/errors/unknown-event-type.error';
import { UpcastingError } from '@cello/event-sourcing/errors/upcasting.error';
import { EVENT_STORAGE } from '@cello/event-sourcing/event-sourcing.constants';
import type { EventSourcingModuleOptions } from '@cello/event-sourcing/event-sourcing-module-options';
import { EventSourcingModule } from '@cello/event-sourcing/event-sourcing.module';
import { Event } from '@cello/event-sourcing/event/event';
import type { EventStorage } from '@cello/event-sourcing/store/event-storage';
import { EventStore } from '@cello/event-sourcing/store/event-store';
import { MemoryEventStorage } from '@cello/event-sourcing/store/memory/memory-event-storage';
import { PostgresEventStorage } from '@cello/event-sourcing/store/postgres/postgres-event-storage';
import { Upcaster } from '@cello/event-sourcing/upcasting/upcaster.decorator';
import { Order, OrderCancelled, OrderCreated, OrderShipped } from './__fixtures__/order.fixture';

/** Schema 3 of a price event: v1 stored { price: "12.50" }, v2 { amountCents }, v3 adds currency. */
@EventType('PriceChanged', { schemaVersion: 3 })
class PriceChanged extends Event {
  constructor(
    readonly productId: string,
    readonly amountCents: number,
    readonly currency: string,
  ) {
    super();
  }
}

@Upcaster(PriceChanged, { fromVersion: 1 })
class PriceChangedV1 {
  upcast(data: { productId: string; price: string }) {
    if (typeof data.price !== 'string') throw new Error('price is not a string');
    return { productId: data.productId, amountCents: Math.round(Number(data.price) * 100) };
  }
}

@Upcaster(PriceChanged, { fromVersion: 2 })
class PriceChangedV2 {
  upcast(data: { productId: string; amountCents: number }) {
    return { ...data, currency: 'EUR' };
  }
}

/** The same aggregate after its state changed shape: snapshots of schema 1 must be ignored. */
@AggregateRoot({ type: 'Order', snapshotSchemaVersion: 2 })
class OrderWithNewState extends Order {}

const db = usePostgresDatabase();

const backends: [string, () => EventSourcingModuleOptions['storage']][] = [
  ['memory', () => 'memory'],
  ['PostgreSQL', () => db.url],
];

describe.each(backends)('EventSourcingModule on %s', (name, storageOption) => {
  let moduleRef: TestingModule;
  let store: EventStore;
  let storage: EventStorage;

  beforeAll(async () => {
    moduleRef = await Test.createTestingModule({
      imports: [
        EventSourcingModule.forRoot({
          storage: storageOption(),
          snapshotInterval: 0,
          maxEventBytes: 64 * 1024,
          maxBatchSize: 500,
          events: [PriceChanged],
          upcasters: [PriceChangedV1, PriceChangedV2],
        }),
        EventSourcingModule.forFeature({ aggregates: [Order] }),
      ],
    }).compile();
    await moduleRef.init();
    store = moduleRef.get(EventStore);
    storage = moduleRef.get(EVENT_STORAGE);
  });

  it('should run on the backend the storage option names', () => {
    const expected = name === 'memory' ? MemoryEventStorage : PostgresEventStorage;
    expect(storage).toBeInstanceOf(expected);
  });

  afterAll(async () => {
    await moduleRef?.close();
  });

  const newId = (prefix: string) => `${prefix}-${randomUUID()}`;

  describe("when the seed's order example runs", () => {
    it('should create, ship and cancel an order, rebuild it, snapshot it and reload from snapshot plus tail', async () => {
      // Given: an order created with the one-argument append, then shipped
      const orderId = newId('order');
      const created = new OrderCreated(orderId, 'customer-1', [{ sku: 'BOOK', quantity: 2 }]);
      await store.append(created);
      const order = await store.load(Order, orderId);
      order.ship('TRACK-1');
      await store.save(order);

      // When: it is loaded again
      const shipped = await store.load(Order, orderId);
      // Then: state is rebuilt from the events
      expect(shipped).toMatchObject({
        id: orderId,
        status: 'shipped',
        customerId: 'customer-1',
        items: [{ sku: 'BOOK', quantity: 2 }],
        trackingNumber: 'TRACK-1',
        version: 2,
      });
      expect(shipped.createdAt?.getTime()).toBe(created.createdAt.getTime());

      // When: snapshot, then cancel (the tail after the snapshot)
      expect(await store.createSnapshot(Order, orderId)).toEqual({ version: 2 });
      shipped.cancel('customer changed mind');
      await store.save(shipped);
      const reloaded = await store.load(Order, orderId);

      // Then: snapshot state plus the tail
      const snapshot = await storage.loadSnapshot(orderId, 'Order');
      expect(snapshot).toMatchObject({ version: 2, schemaVersion: 1, aggregateType: 'Order' });
      expect(reloaded).toMatchObject({
        status: 'cancelled',
        cancelReason: 'customer changed mind',
        trackingNumber: 'TRACK-1',
        version: 3,
      });
      expect(reloaded.createdAt).toBeInstanceOf(Date);
      expect(reloaded.shippedAt).toBeInstanceOf(Date);
      const types = (await store.readStream(orderId)).map((recorded) => recorded.type);
      expect(types).toEqual(['OrderCreated', 'OrderShipped', 'OrderCancelled']);
    });
  });

  describe('when events are read back', () => {
    it('should give recorded envelopes with instances of the registered classes and exact Dates', async () => {
      // Given
      const orderId = newId('order');
      const createdAt = new Date('2026-03-04T05:06:07.089Z');
      const shippedAt = new Date('2026-03-05T00:00:00.001Z');
      await store.append(
        orderId,
        [new OrderCreated(orderId, 'c', [], createdAt), new OrderShipped(orderId, 'T', shippedAt)],
        { expectedVersion: 0, metadata: { correlationId: 'corr-9' } },
      );
      // When
      const [first, second] = await store.readStream(orderId);
      // Then
      expect(first.event).toBeInstanceOf(OrderCreated);
      expect(second.event).toBeInstanceOf(OrderShipped);
      expect((first.event as OrderCreated).createdAt).toEqual(createdAt);
      expect((second.event as OrderShipped).shippedAt.toISOString()).toBe(
        '2026-03-05T00:00:00.001Z',
      );
      expect(first).toMatchObject({ streamId: orderId, version: 1, type: 'OrderCreated' });
      expect(first.metadata).toEqual({ correlationId: 'corr-9' });
      expect(second.position).toBeGreaterThan(first.position);
      expect(first.recordedAt).toBeInstanceOf(Date);
      expect(first.eventId).toBe(first.event.eventId);
    });

    it('should read a stream from a version with a limit, and the global log in order', async () => {
      const streamId = newId('s');
      const events = Array.from(
        { length: 5 },
        (_, index) => new OrderShipped(streamId, `T${index}`),
      );
      const { positions } = await store.append(streamId, events);
      const slice = await store.readStream(streamId, { fromVersion: 2, limit: 2 });
      expect(slice.map((recorded) => recorded.version)).toEqual([2, 3]);
      const all = await store.readAll({ fromPosition: positions[0], limit: 5 });
      expect(all.map((recorded) => recorded.position)).toEqual(positions);
    });

    it('should stream a long stream page by page', async () => {
      // Given: 2,500 events
      const streamId = newId('long');
      for (let batch = 0; batch < 5; batch++) {
        const events = Array.from({ length: 500 }, () => new OrderShipped(streamId, 'T'));
        await store.append(streamId, events);
      }
      // When
      let expected = 1;
      for await (const recorded of store.streamEvents(streamId, { pageSize: 1000 })) {
        // Then: every version once, in order
        expect(recorded.version).toBe(expected++);
      }
      expect(expected).toBe(2501);
    });
  });

  describe('when writers conflict', () => {
    it('should reject a stale expected version with stream, expected and actual, writing nothing', async () => {
      // Given
      const orderId = newId('order');
      await store.append(orderId, [new OrderCreated(orderId, 'c', [])], { expectedVersion: 0 });
      // When
      const error = await store
        .append(orderId, [new OrderShipped(orderId, 'A'), new OrderShipped(orderId, 'B')], {
          expectedVersion: 0,
        })
        .catch((e: unknown) => e);
      // Then
      expect(error).toBeInstanceOf(ConcurrencyError);
      expect(error).toMatchObject({ streamId: orderId, expected: 0, actual: 1 });
      expect((error as Error).message).toContain(orderId);
      expect(await store.streamVersion(orderId)).toBe(1);
    });

    it('should let exactly one of 50 concurrent saves of the same version win', async () => {
      // Given
      const orderId = newId('order');
      await store.append(orderId, [new OrderCreated(orderId, 'c', [])]);
      const copies = await Promise.all(
        Array.from({ length: 50 }, () => store.load(Order, orderId)),
      );
      // When
      const outcomes = await Promise.allSettled(
        copies.map((copy, index) => {
          copy.ship(`T-${index}`);
          return store.save(copy);
        }),
      );
      // Then
      expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(1);
      const rejected = outcomes.filter((o): o is PromiseRejectedResult => o.status === 'rejected');
      expect(rejected).toHaveLength(49);
      for (const outcome of rejected) expect(outcome.reason).toBeInstanceOf(ConcurrencyError);
      expect((await store.readStream(orderId)).map((recorded) => recorded.version)).toEqual([1, 2]);
    });

    it('should keep versions contiguous under 50 concurrent appends without a check', async () => {
      const streamId = newId('busy');
      await Promise.all(
        Array.from({ length: 50 }, (_, index) =>
          store.append(streamId, new OrderShipped(streamId, `${index}`)),
        ),
      );
      const versions = (await store.readStream(streamId)).map((recorded) => recorded.version);
      expect(versions).toEqual(Array.from({ length: 50 }, (_, index) => index + 1));
    });
  });

  describe('when the same append is sent twice (a retry after a timeout)', () => {
    it('should store it once and return the first write', async () => {
      // Given
      const orderId = newId('order');
      const events = [new OrderCreated(orderId, 'c', []), new OrderShipped(orderId, 'T')];
      const first = await store.append(orderId, events, { expectedVersion: 0 });
      // When
      const again = await store.append(orderId, events, { expectedVersion: 0 });
      // Then
      expect(again).toEqual({ ...first, duplicate: true });
      expect(await store.readStream(orderId)).toHaveLength(2);
    });
  });

  describe('when an append cannot be stored whole', () => {
    it('should write none of it when one event cannot be serialized', async () => {
      const orderId = newId('order');
      const bad = Object.assign(new OrderShipped(orderId, 'T'), { weight: 10n });
      const error = await store
        .append(orderId, [new OrderCreated(orderId, 'c', []), bad])
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(EventSerializationError);
      expect(error).toMatchObject({ eventType: 'OrderShipped', field: 'weight' });
      expect(await store.streamVersion(orderId)).toBe(0);
    });

    it('should refuse an event over maxEventBytes and a batch over maxBatchSize', async () => {
      const orderId = newId('order');
      const big = new OrderCreated(orderId, 'x'.repeat(70 * 1024), []);
      await expect(store.append(big)).rejects.toBeInstanceOf(EventTooLargeError);
      const many = Array.from({ length: 501 }, () => new OrderShipped(orderId, 'T'));
      const error = await store.append(orderId, many).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(AppendBatchTooLargeError);
      expect(error).toMatchObject({ count: 501, limit: 500 });
      expect(await store.streamVersion(orderId)).toBe(0);
    });
  });

  describe('when rows were written in an older shape', () => {
    it('should upcast them through the chain v1 -> v2 -> v3 on read', async () => {
      // Given: rows of schema 1 and 2, written straight through the storage
      const productId = newId('product');
      await storage.append(
        productId,
        [
          row('PriceChanged', 1, { productId, price: '12.50' }),
          row('PriceChanged', 2, { productId, amountCents: 999 }),
        ],
        'any',
      );
      // When
      const [v1, v2] = await store.readStream<PriceChanged>(productId);
      // Then
      expect(v1.event).toBeInstanceOf(PriceChanged);
      expect({ ...v1.event }).toEqual({
        eventId: v1.eventId,
        productId,
        amountCents: 1250,
        currency: 'EUR',
      });
      expect(v2.event).toMatchObject({ amountCents: 999, currency: 'EUR' });
    });

    it('should name the stream and position when an upcaster fails', async () => {
      const productId = newId('product');
      const { positions } = await storage.append(
        productId,
        [row('PriceChanged', 1, { productId, price: { not: 'a number' } })],
        'any',
      );
      const error = await store.readStream(productId).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(UpcastingError);
      expect(error).toMatchObject({ streamId: productId, position: positions[0], fromVersion: 1 });
      expect((error as Error).message).toMatch(/price is not a string/);
    });
  });

  describe('when a stored event type has no class', () => {
    it('should throw UnknownEventTypeError naming the stream and position', async () => {
      const streamId = newId('legacy');
      const { positions } = await storage.append(streamId, [row('LegacyThing', 1, {})], 'any');
      const error = await store.readStream(streamId).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(UnknownEventTypeError);
      expect(error).toMatchObject({
        eventType: 'LegacyThing',
        streamId,
        version: 1,
        position: positions[0],
      });
    });
  });

  describe("when a snapshot's state schema is older than the aggregate's", () => {
    it('should ignore it, rebuild from events and snapshot again', async () => {
      // Given: a schema-1 snapshot at version 1, then one more event
      const orderId = newId('order');
      await store.append(orderId, [new OrderCreated(orderId, 'c', [])]);
      await store.createSnapshot(Order, orderId);
      await store.append(orderId, [new OrderShipped(orderId, 'T-9')]);
      // When: the class now declares state schema 2
      const order = await store.load(OrderWithNewState, orderId);
      // Then
      expect(order).toMatchObject({ status: 'shipped', trackingNumber: 'T-9', version: 2 });
      expect(await storage.loadSnapshot(orderId, 'Order')).toMatchObject({
        schemaVersion: 2,
        version: 2,
      });
    });
  });

  describe('when aggregates or streams are missing', () => {
    it('should throw AggregateNotFoundError', async () => {
      const error = await store.load(Order, newId('missing')).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(AggregateNotFoundError);
    });

    it('should throw MissingStreamIdError for an event that names no stream', async () => {
      await expect(store.append(new OrderCancelled('o', 'x'))).rejects.toBeInstanceOf(
        MissingStreamIdError,
      );
    });
  });
});

describe('EventSourcingModule with a TypeORM DataSource', () => {
  it('should store events through the given DataSource', async () => {
    // Given
    const dataSource = new DataSource({ type: 'postgres', url: db.url });
    await dataSource.initialize();
    const moduleRef = await Test.createTestingModule({
      imports: [EventSourcingModule.forRoot({ storage: dataSource, tablePrefix: 'ds_' })],
    }).compile();
    await moduleRef.init();
    try {
      // When
      const store = moduleRef.get(EventStore);
      await store.append(new OrderCreated('ds-order', 'c', []));
      // Then
      expect((await store.load(Order, 'ds-order')).status).toBe('created');
      const [{ count }] = (await dataSource.query(
        'SELECT count(*)::int AS count FROM ds_events',
      )) as {
        count: number;
      }[];
      expect(count).toBe(1);
    } finally {
      await moduleRef.close();
      if (dataSource.isInitialized) await dataSource.destroy();
    }
  });
});

describe('EventSourcingModule when PostgreSQL cannot be reached', () => {
  it('should start anyway and fail operations fast with EventStoreUnavailableError', async () => {
    // Given: nothing listens on port 1
    const moduleRef = await Test.createTestingModule({
      imports: [
        EventSourcingModule.forRoot({ storage: 'postgresql://cello:cello@127.0.0.1:1/nowhere' }),
      ],
    }).compile();
    moduleRef.useLogger(false);
    // When
    await moduleRef.init();
    const error = await moduleRef
      .get(EventStore)
      .append('order-1', [new OrderCreated('order-1', 'c-1', [])])
      .catch((e: unknown) => e);
    // Then
    expect(error).toBeInstanceOf(EventStoreUnavailableError);
    expect((error as Error).message).not.toContain('cello:cello');
    await moduleRef.close();
  });
});

function row(type: string, schemaVersion: number, data: object) {
  return { eventId: randomUUID(), type, schemaVersion, data: JSON.stringify(data), metadata: '{}' };
}
