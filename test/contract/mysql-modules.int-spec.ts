import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import type { INestApplication } from '@nestjs/common';
import { Test, type TestingModule } from '@nestjs/testing';
import { DataSource } from 'typeorm';
import { isCelloError } from '@cello/core';
import {
  ConcurrencyError,
  Event,
  EVENT_STORAGE,
  EventSourcingModule,
  EventStore,
  EventType,
  MysqlEventStorage,
  Upcaster,
  type EventStorage,
} from '@cello/event-sourcing';
import {
  Order,
  OrderCreated,
  OrderShipped,
} from '../libs/event-sourcing/__fixtures__/order.fixture';
import { SagaModule, SagaRunner } from '@cello/saga';
import { FakeOrderServices } from '../saga/fixtures/fake-order-services';
import { OrderSaga, orderContext } from '../saga/fixtures/order-saga.fixture';
import { waitUntil } from '../support/eventually';
import { useMysqlDatabase } from '../support/mysql-database';

/** Schema 3 of a price event: v1 stored { price: "12.50" }, v2 { amountCents }, v3 adds currency. */
@EventType('MysqlPriceChanged', { schemaVersion: 3 })
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
    return { productId: data.productId, amountCents: Math.round(Number(data.price) * 100) };
  }
}

@Upcaster(PriceChanged, { fromVersion: 2 })
class PriceChangedV2 {
  upcast(data: { productId: string; amountCents: number }) {
    return { ...data, currency: 'EUR' };
  }
}

/**
 * The fake services of the saga tests, kept in memory (the shared fixture
 * writes its ledger to PostgreSQL): one effect per idempotency key, a call
 * waits while `gate` is closed, and an aborted call has no effect.
 */
class MemoryOrderServices {
  readonly ledger: { effect: string; sagaId: string; key: string }[] = [];
  refuse: string[] = [];
  gate?: { effect: string; open: Promise<void> };

  async apply(effect: string, sagaId: string, key: string, signal?: AbortSignal): Promise<string> {
    if (this.gate?.effect === effect) {
      await Promise.race([
        this.gate.open,
        new Promise<void>((_, reject) =>
          signal?.addEventListener('abort', () => reject(new Error(`${effect}: aborted`))),
        ),
      ]);
    }
    if (this.refuse.includes(effect)) throw new Error(`${effect}: refused`);
    if (!this.ledger.some((entry) => entry.key === key)) this.ledger.push({ effect, sagaId, key });
    return `${effect}-${key}`;
  }

  effects(sagaId: string): string[] {
    return this.ledger.filter((entry) => entry.sagaId === sagaId).map((entry) => entry.effect);
  }
}

describe("EventSourcingModule and SagaModule with storage: 'mysql://...'", () => {
  const db = useMysqlDatabase();

  describe('when the event store runs on a mysql:// URL', () => {
    let moduleRef: TestingModule;
    let store: EventStore;

    beforeAll(async () => {
      moduleRef = await Test.createTestingModule({
        imports: [
          EventSourcingModule.forRoot({
            storage: db.url,
            snapshotInterval: 0,
            events: [PriceChanged],
            upcasters: [PriceChangedV1, PriceChangedV2],
          }),
          EventSourcingModule.forFeature({ aggregates: [Order] }),
        ],
      }).compile();
      await moduleRef.init();
      store = moduleRef.get(EventStore);
    });

    afterAll(async () => {
      await moduleRef?.close();
    });

    it('should use MysqlEventStorage', () => {
      expect(moduleRef.get<EventStorage>(EVENT_STORAGE)).toBeInstanceOf(MysqlEventStorage);
    });

    it("should run the seed's order example: create, ship, cancel, snapshot, reload", async () => {
      // Given
      const orderId = `order-${randomUUID()}`;
      const created = new OrderCreated(orderId, 'customer-🎉', [{ sku: 'BOOK', quantity: 2 }]);
      await store.append(created);
      const order = await store.load(Order, orderId);
      order.ship('TRACK-1');
      await store.save(order);

      // When
      const shipped = await store.load(Order, orderId);
      expect(shipped).toMatchObject({ status: 'shipped', customerId: 'customer-🎉', version: 2 });
      await store.createSnapshot(Order, orderId);
      shipped.cancel('changed mind');
      await store.save(shipped);
      const reloaded = await store.load(Order, orderId);

      // Then
      expect(shipped.createdAt?.getTime()).toBe(created.createdAt.getTime());
      expect(reloaded).toMatchObject({
        status: 'cancelled',
        trackingNumber: 'TRACK-1',
        version: 3,
      });
      expect(reloaded.shippedAt).toBeInstanceOf(Date);
      const snapshot = await moduleRef
        .get<EventStorage>(EVENT_STORAGE)
        .loadSnapshot(orderId, 'Order');
      expect(snapshot?.version).toBe(2);
    });

    it('should refuse a stale save with a ConcurrencyError naming the versions', async () => {
      // Given two copies of one order
      const orderId = `order-${randomUUID()}`;
      await store.append(new OrderCreated(orderId, 'c', []));
      const first = await store.load(Order, orderId);
      const second = await store.load(Order, orderId);
      first.ship('A');
      await store.save(first);

      // When the second, loaded at version 1, is saved
      second.ship('B');
      const error = await store.save(second).catch((e: unknown) => e);

      // Then
      expect(isCelloError(error, ConcurrencyError.code)).toBe(true);
      expect(error).toMatchObject({ streamId: orderId, expected: 1, actual: 2 });
      const events = await store.readStream(orderId);
      expect(events.map((e) => e.event.constructor)).toEqual([OrderCreated, OrderShipped]);
    });

    it('should upcast rows written in older shapes through the chain v1 -> v2 -> v3', async () => {
      // Given rows of schema 1 and 2, written straight through the storage
      const productId = `product-${randomUUID()}`;
      const old = (schemaVersion: number, data: object) => ({
        eventId: randomUUID(),
        type: 'MysqlPriceChanged',
        schemaVersion,
        data: JSON.stringify(data),
        metadata: '{}',
      });
      await moduleRef
        .get<EventStorage>(EVENT_STORAGE)
        .append(
          productId,
          [old(1, { productId, price: '12.50' }), old(2, { productId, amountCents: 999 })],
          'any',
        );

      // When
      const [v1, v2] = await store.readStream<PriceChanged>(productId);

      // Then
      expect(v1.event).toBeInstanceOf(PriceChanged);
      expect(v1.event).toMatchObject({ amountCents: 1250, currency: 'EUR' });
      expect(v2.event).toMatchObject({ amountCents: 999, currency: 'EUR' });
    });
  });

  describe('when the event store is given a TypeORM DataSource for MySQL', () => {
    it('should run on it and leave it open on shutdown', async () => {
      // Given
      const dataSource = new DataSource({
        type: 'mysql',
        url: db.url,
        charset: 'utf8mb4_unicode_ci',
      });
      await dataSource.initialize();
      const moduleRef = await Test.createTestingModule({
        imports: [EventSourcingModule.forRoot({ storage: dataSource, tablePrefix: 'ds_' })],
      }).compile();
      await moduleRef.init();

      // When
      const orderId = `order-${randomUUID()}`;
      await moduleRef.get(EventStore).append(new OrderCreated(orderId, 'c', []));
      await moduleRef.close();

      // Then
      expect(dataSource.isInitialized).toBe(true);
      const rows = (await dataSource.query(
        'SELECT COUNT(*) AS n FROM `ds_events` WHERE stream_id = ?',
        [orderId],
      )) as { n: string | number }[];
      expect(Number(rows[0].n)).toBe(1);
      await dataSource.destroy();
    });
  });

  describe('when sagas run on a mysql:// URL', () => {
    const apps: INestApplication[] = [];
    let services: MemoryOrderServices;

    async function boot(options: Record<string, unknown> = {}): Promise<INestApplication> {
      const moduleRef = await Test.createTestingModule({
        imports: [
          SagaModule.forRoot({ storage: db.url, retryDelay: 0.005, recovery: false, ...options }),
        ],
        providers: [OrderSaga, { provide: FakeOrderServices, useValue: services }],
      }).compile();
      const app = moduleRef.createNestApplication({ logger: false });
      await app.init();
      apps.push(app);
      return app;
    }

    beforeEach(() => {
      services = new MemoryOrderServices();
    });

    afterEach(async () => {
      await Promise.all(apps.splice(0).map((app) => app.close()));
    });

    it('should complete OrderSaga and keep its context', async () => {
      // Given
      const runner = (await boot()).get(SagaRunner);

      // When
      const result = await runner.execute(OrderSaga, orderContext(1));

      // Then
      expect(result).toMatchObject({ success: true, status: 'completed' });
      expect(services.effects(result.sagaId)).toEqual([
        'reserve_inventory',
        'charge_payment',
        'create_shipment',
      ]);
      const status = await runner.getStatus(result.sagaId);
      expect(status).toMatchObject({ status: 'completed' });
      expect(status.context).toMatchObject({ reservation_id: expect.any(String) });
    });

    it('should compensate the completed steps in reverse order when shipping fails', async () => {
      // Given
      const runner = (await boot({ maxRetries: 0 })).get(SagaRunner);
      services.refuse = ['create_shipment'];

      // When
      const result = await runner.execute(OrderSaga, orderContext(2));

      // Then
      expect(result).toMatchObject({ success: false, failedStep: 'ship_order' });
      expect(services.effects(result.sagaId)).toEqual([
        'reserve_inventory',
        'charge_payment',
        'refund_payment',
        'release_inventory',
      ]);
      expect((await runner.getStatus(result.sagaId)).status).toBe('compensated');
    });

    it('should let another instance recover a saga its first instance left mid-step', async () => {
      // Given an instance that stops while payment hangs
      let open!: () => void;
      services.gate = { effect: 'charge_payment', open: new Promise((r) => (open = r)) };
      const first = await boot({ leaseTtl: 1, instanceId: 'first' });
      const sagaId = await first.get(SagaRunner).start(OrderSaga, orderContext(3));
      await waitUntil(
        'the inventory is reserved',
        async () => services.effects(sagaId).includes('reserve_inventory'),
        15_000,
      );
      await first.close();
      apps.splice(apps.indexOf(first), 1);

      // When another instance recovers unfinished sagas, payment working again
      open();
      const second = await boot({
        leaseTtl: 1,
        instanceId: 'second',
        recovery: true,
        recoveryInterval: 0.2,
      });

      // Then the saga completes, each effect applied once
      const runner = second.get(SagaRunner);
      await waitUntil(
        'the saga completed',
        async () => (await runner.getStatus(sagaId)).status === 'completed',
        15_000,
      );
      expect(services.effects(sagaId)).toEqual([
        'reserve_inventory',
        'charge_payment',
        'create_shipment',
      ]);
    });
  });
});
