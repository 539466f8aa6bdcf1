import type { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { Client } from 'pg';
import { EventSourcingModule, SubscriptionManager } from '@cello/event-sourcing';
import {
  createTestDatabase,
  usePostgresDatabase,
  type TestDatabase,
} from '../../support/postgres-database';
import {
  CancelOrderCommand,
  CreateOrderCommand,
  GetOrderQuery,
  ListOrdersQuery,
  Order,
  OrderAlreadyCancelledError,
  OrderCancelled,
  OrderCreated,
  OrdersExampleModule,
  OrderViewsProjection,
} from './__fixtures__/orders.fixture';
import { CommandBus } from '@cello/cqrs/command-bus';
import { CqrsModule } from '@cello/cqrs/cqrs.module';
import { ValidationError } from '@cello/cqrs/errors/validation.error';
import { QueryBus } from '@cello/cqrs/query-bus';

describe('the seed CQRS example (orders) on PostgreSQL', () => {
  const writeDb = usePostgresDatabase();
  let readDb: TestDatabase;

  beforeAll(async () => {
    readDb = await createTestDatabase('cqrs_orders_read');
  });

  afterAll(async () => {
    await readDb?.drop();
  });

  async function boot(options: { subscribers: boolean }): Promise<INestApplication> {
    const moduleRef = await Test.createTestingModule({
      imports: [
        EventSourcingModule.forRoot({
          storage: writeDb.url,
          aggregates: [Order],
          events: [OrderCreated, OrderCancelled],
          subscriptions: { autoStart: options.subscribers, pollIntervalMs: 200 },
        }),
        CqrsModule.forRoot({ enableEventSync: true }),
        OrdersExampleModule.forReadModel(readDb.url),
      ],
    }).compile();
    return moduleRef.createNestApplication({ logger: false }).init();
  }

  async function readModelRows(): Promise<number> {
    const client = new Client({ connectionString: readDb.url });
    await client.connect();
    try {
      const { rows } = await client.query<{ n: number }>(
        'SELECT count(*)::int AS n FROM order_views',
      );
      return rows[0].n;
    } finally {
      await client.end();
    }
  }

  let app: INestApplication;
  let aliceOrders: string[] = [];
  let lastPosition = 0;

  afterEach(async () => {
    await app?.close();
  });

  describe('when orders are created and cancelled through the command bus', () => {
    it('should answer GetOrder and ListOrders from the read database, reading its own writes', async () => {
      // Given
      app = await boot({ subscribers: true });
      const commands = app.get(CommandBus);
      const queries = app.get(QueryBus);

      // When
      aliceOrders = [];
      for (const sku of ['apple', 'pear', 'plum']) {
        const created = await commands.dispatch(
          new CreateOrderCommand('alice', [{ sku, quantity: 1 }]),
        );
        aliceOrders.push(created.result);
      }
      await commands.dispatch(new CreateOrderCommand('bob', [{ sku: 'fig', quantity: 2 }]));
      const cancelled = await commands.dispatch(
        new CancelOrderCommand(aliceOrders[1], 'changed mind'),
      );
      lastPosition = cancelled.position;

      // Then: read-your-writes on GetOrder
      const order = await queries.dispatch(new GetOrderQuery(aliceOrders[1]), {
        waitForPosition: cancelled.position,
      });
      expect(order).toEqual({
        id: aliceOrders[1],
        customerId: 'alice',
        status: 'cancelled',
        items: [{ sku: 'pear', quantity: 1 }],
        cancelReason: 'changed mind',
      });
      // And ListOrders with customer, status and limit
      const all = await queries.dispatch(new ListOrdersQuery('alice'));
      expect(all.map((o) => o.id)).toEqual(aliceOrders);
      const onlyCancelled = await queries.dispatch(new ListOrdersQuery('alice', 'cancelled'));
      expect(onlyCancelled.map((o) => o.id)).toEqual([aliceOrders[1]]);
      const firstTwo = await queries.dispatch(new ListOrdersQuery('alice', undefined, 2));
      expect(firstTwo.map((o) => o.id)).toEqual(aliceOrders.slice(0, 2));
      const bobs = await queries.dispatch(new ListOrdersQuery('bob', 'created'));
      expect(bobs).toHaveLength(1);
      expect(
        await queries.dispatch(new GetOrderQuery('00000000-0000-4000-8000-000000000000')),
      ).toBeNull();
    });
  });

  describe('when a command or query is invalid or breaks a domain rule', () => {
    it('should reject it before it runs, or with the domain error', async () => {
      // Given
      app = await boot({ subscribers: true });
      const commands = app.get(CommandBus);
      // When
      const invalid = await commands
        .dispatch(new CreateOrderCommand('', []))
        .catch((e: unknown) => e);
      const badLimit = await app
        .get(QueryBus)
        .dispatch(new ListOrdersQuery('alice', undefined, 0))
        .catch((e: unknown) => e);
      const twice = await commands
        .dispatch(new CancelOrderCommand(aliceOrders[1], 'again'))
        .catch((e: unknown) => e);
      // Then
      expect(invalid).toBeInstanceOf(ValidationError);
      expect((invalid as ValidationError).violations.map((v) => v.field)).toEqual([
        'customerId',
        'items',
      ]);
      expect(badLimit).toBeInstanceOf(ValidationError);
      expect((badLimit as ValidationError).violations).toEqual([
        { field: 'limit', constraints: { min: 'limit must not be less than 1' } },
      ]);
      expect(twice).toBeInstanceOf(OrderAlreadyCancelledError);
    });
  });

  describe('when orders are written while the projection is down and the app restarts', () => {
    it('should catch up from its durable checkpoint, without replaying what it had done', async () => {
      // Given: the read model is up to date with everything written so far
      app = await boot({ subscribers: true });
      await app.get(SubscriptionManager).waitForPosition(lastPosition);
      await app.close();
      // And an instance that writes but runs no subscribers (the projection is down)
      app = await boot({ subscribers: false });
      const created = await app
        .get(CommandBus)
        .dispatch(new CreateOrderCommand('carol', [{ sku: 'kiwi', quantity: 3 }]));
      await app.close();
      const rowsWhileDown = await readModelRows();
      const appliedBefore = OrderViewsProjection.applied;

      // When: the application starts again
      app = await boot({ subscribers: true });
      const carol = await app.get(QueryBus).dispatch(new ListOrdersQuery('carol'), {
        waitForPosition: created.position,
      });

      // Then: the new order is in the read model, and only the missed event was applied
      expect(rowsWhileDown).toBe(4);
      expect(carol.map((o) => o.id)).toEqual([created.result]);
      expect(OrderViewsProjection.applied - appliedBefore).toBe(1);
      expect(await readModelRows()).toBe(5);
    });
  });

  describe('when the read model is rebuilt from scratch', () => {
    it('should end with the same rows, recomputed from the events', async () => {
      // Given
      app = await boot({ subscribers: true });
      const before = await app.get(QueryBus).dispatch(new ListOrdersQuery('alice'));
      // When
      await app.get(SubscriptionManager).rebuild('cqrs-example-orders', { timeoutMs: 20_000 });
      // Then
      const after = await app.get(QueryBus).dispatch(new ListOrdersQuery('alice'));
      expect(after).toEqual(before);
      expect(await readModelRows()).toBe(5);
    });
  });
});
