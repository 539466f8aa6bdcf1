import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { Test, type TestingModule } from '@nestjs/testing';
import { Pool } from 'pg';
import { Registry } from 'prom-client';
import { CelloMetricsModule } from '@cello/core';
import { usePostgresDatabase } from '../../../support/postgres-database';
import { startPrivatePostgres, type PrivatePostgres } from '../../../support/private-postgres';
import { EventHandler } from '@cello/event-sourcing/decorators/event-handler.decorator';
import { EventSubscriber } from '@cello/event-sourcing/decorators/event-subscriber.decorator';
import { EventSourcingModule } from '@cello/event-sourcing/event-sourcing.module';
import type { EventSourcingModuleOptions } from '@cello/event-sourcing/event-sourcing-module-options';
import { SubscriptionsHealthIndicator } from '@cello/event-sourcing/health/subscriptions.health-indicator';
import { EventStore } from '@cello/event-sourcing/store/event-store';
import { PostgresEventStorage } from '@cello/event-sourcing/store/postgres/postgres-event-storage';
import type { SubscriptionEnvelope } from '@cello/event-sourcing/subscriptions/subscription-envelope';
import { SubscriptionManager } from '@cello/event-sourcing/subscriptions/subscription-manager';
import { OrderPlaced } from './testing/subscription-scenarios';
import { pollUntil, tablePrefixFor } from './testing/subscription-test-app';

const READ_MODEL = Symbol('READ_MODEL');

/** A read model in a real PostgreSQL table; counts its attempts. */
@Injectable()
@EventSubscriber({ name: 'order-amounts', maxAttempts: 3, retryDelayMs: 10, maxRetryDelayMs: 200 })
class OrderAmounts {
  readonly applied: number[] = [];
  attempts = 0;

  constructor(@Inject(READ_MODEL) private readonly db: Pool) {}

  @EventHandler(OrderPlaced)
  async onPlaced(event: OrderPlaced, envelope: SubscriptionEnvelope): Promise<void> {
    this.attempts += 1;
    // 1e6 × 1e9 does not fit numeric(14,2): the demo's overflow, as a real SQLSTATE 22003.
    const amount = event.orderId.startsWith('huge') ? '1000000000000000' : '12.50';
    await this.db.query(
      'INSERT INTO order_amounts (position, order_id, amount) VALUES ($1, $2, $3) ' +
        'ON CONFLICT (position) DO NOTHING',
      [envelope.position, event.orderId, amount],
    );
    this.applied.push(envelope.position);
  }
}

/** Refuses "bad" orders with an error that is not transient; holds its first attempt until released. */
@Injectable()
@EventSubscriber({
  name: 'refusing-ledger',
  maxAttempts: 3,
  retryDelayMs: 10,
  maxRetryDelayMs: 100,
})
class RefusingLedger {
  readonly booked: string[] = [];
  attempts = 0;
  private started!: () => void;
  readonly firstAttempt = new Promise<void>((resolve) => (this.started = resolve));
  private release!: () => void;
  private readonly gate = new Promise<void>((resolve) => (this.release = resolve));

  @EventHandler(OrderPlaced)
  async onPlaced(event: OrderPlaced): Promise<void> {
    if (!event.orderId.startsWith('bad')) {
      this.booked.push(event.orderId);
      return;
    }
    this.attempts += 1;
    if (this.attempts === 1) {
      this.started();
      await this.gate;
    }
    throw new Error(`cannot book ${event.orderId}`);
  }

  open(): void {
    this.release();
  }
}

async function createReadModel(pool: Pool): Promise<void> {
  await pool.query(
    'CREATE TABLE IF NOT EXISTS order_amounts ' +
      '(position bigint PRIMARY KEY, order_id text NOT NULL, amount numeric(14,2) NOT NULL)',
  );
}

// Stopping and starting a PostgreSQL server takes seconds on a loaded machine: the cases get 90 s.
describe('subscriptions on PostgreSQL when a database fails', () => {
  const db = usePostgresDatabase();
  let server: PrivatePostgres;
  let running = false;
  const apps: TestingModule[] = [];
  const pools: Pool[] = [];

  beforeAll(async () => {
    server = await startPrivatePostgres();
    running = true;
  }, 120_000);

  afterEach(async () => {
    await Promise.all(apps.splice(0).map((app) => app.close()));
    await Promise.all(pools.splice(0).map((pool) => pool.end()));
    if (!running) {
      await server.start();
      running = true;
    }
  }, 60_000);

  afterAll(async () => {
    await server?.destroy();
  });

  function pool(url: string): Pool {
    const opened = new Pool({ connectionString: url, max: 2, connectionTimeoutMillis: 2000 });
    opened.on('error', () => undefined);
    pools.push(opened);
    return opened;
  }

  async function boot(
    options: EventSourcingModuleOptions,
    providers: unknown[],
    registry = new Registry(),
  ): Promise<TestingModule> {
    const app = await Test.createTestingModule({
      imports: [CelloMetricsModule.forRoot({ registry }), EventSourcingModule.forRoot(options)],
      providers: providers as never[],
    }).compile();
    app.useLogger(false);
    await app.init();
    apps.push(app);
    return app;
  }

  async function place(app: TestingModule, ...orderIds: string[]): Promise<number[]> {
    const positions: number[] = [];
    for (const orderId of orderIds) {
      const result = await app
        .get(EventStore)
        .append(orderId, [new OrderPlaced(orderId, new Date())]);
      positions.push(...result.positions);
    }
    return positions;
  }

  it('should never park while the read-model database is down, and apply every event once, in order, once it is back', async () => {
    // Given a projection writing to a PostgreSQL server of its own, which then goes down
    const readModel = pool(server.url);
    await createReadModel(readModel);
    const registry = new Registry();
    const app = await boot(
      {
        storage: PostgresEventStorage.fromUrl(db.url, {
          tablePrefix: tablePrefixFor(randomUUID()),
        }),
        subscriptions: { pollIntervalMs: 100 },
      },
      [OrderAmounts, { provide: READ_MODEL, useValue: readModel }],
      registry,
    );
    const manager = app.get(SubscriptionManager);
    const projection = app.get(OrderAmounts);
    await server.stop();
    running = false;

    // When orders come for longer than the old retry budget (5 attempts, about 1.5 s)
    const positions = await place(
      app,
      `o-${randomUUID()}`,
      `o-${randomUUID()}`,
      `o-${randomUUID()}`,
    );
    const stalled = await pollUntil(async () => {
      const [status] = await manager.status();
      return projection.attempts >= 10 &&
        status.retrying !== undefined &&
        Date.now() - status.retrying.since.getTime() > 2500
        ? status
        : undefined;
    });

    // Then nothing is parked, the checkpoint waits, health and metrics show the stall
    expect(await manager.listParked()).toEqual([]);
    expect(stalled.checkpoint).toBeLessThan(positions[0]);
    expect(stalled.lastError).toMatch(/ECONNREFUSED|Connection terminated|connect/);
    const health = await app
      .get(SubscriptionsHealthIndicator)
      .isHealthy('subscriptions', { stalledAfterMs: 2000 });
    expect(health.subscriptions).toMatchObject({ status: 'down' });
    expect(health.subscriptions.message).toContain('"order-amounts" stalled');
    const metrics = await pollUntil(async () => {
      const text = await registry.metrics();
      return /cello_projection_lag_events\{projection="order-amounts"\} [3-9]/.test(text) && text;
    });
    expect(metrics).toContain('cello_projection_retrying{projection="order-amounts"} 1');

    // When the database is back
    await server.start();
    running = true;
    await manager.waitForPosition(positions[2], { timeoutMs: 30_000 });

    // Then each event was applied once, in order
    expect(projection.applied).toEqual(positions);
    const { rows } = await readModel.query<{ position: string }>(
      'SELECT position FROM order_amounts ORDER BY position',
    );
    expect(rows.map((r) => Number(r.position))).toEqual(positions);
    expect(await manager.listParked()).toEqual([]);
    expect(await registry.metrics()).toContain(
      'cello_projection_retrying{projection="order-amounts"} 0',
    );
  }, 90_000);

  it('should park an event its database refuses (numeric overflow, SQLSTATE 22003) after maxAttempts, and move on', async () => {
    // Given
    const readModel = pool(db.url);
    await createReadModel(readModel);
    const app = await boot(
      {
        storage: PostgresEventStorage.fromUrl(db.url, {
          tablePrefix: tablePrefixFor(randomUUID()),
        }),
        subscriptions: { pollIntervalMs: 100 },
      },
      [OrderAmounts, { provide: READ_MODEL, useValue: readModel }],
    );
    const manager = app.get(SubscriptionManager);

    // When
    const positions = await place(app, `huge-${randomUUID()}`, `o-${randomUUID()}`);
    await manager.waitForPosition(positions[1]);

    // Then
    const parked = await manager.listParked('order-amounts');
    expect(parked).toHaveLength(1);
    expect(parked[0]).toMatchObject({ position: positions[0], attempts: 3 });
    expect(parked[0].error).toContain('numeric field overflow');
    expect(app.get(OrderAmounts).attempts).toBe(4);
    expect(app.get(OrderAmounts).applied).toEqual([positions[1]]);
  }, 90_000);

  it('should not park while the event storage does not answer, and park once it does', async () => {
    // Given the event storage on a server of its own, and a handler that refuses an event
    const storage = PostgresEventStorage.fromUrl(server.url, {
      tablePrefix: tablePrefixFor(randomUUID()),
      poolSize: 2,
    });
    const app = await boot(
      { storage, subscriptions: { pollIntervalMs: 100, leaseTtlMs: 120_000 } },
      [RefusingLedger],
    );
    const manager = app.get(SubscriptionManager);
    const ledger = app.get(RefusingLedger);
    const bad = `bad-${randomUUID()}`;
    const good = `good-${randomUUID()}`;
    const positions = await place(app, bad, good);
    await ledger.firstAttempt;

    // When the event storage goes down while the handler fails, well past maxAttempts (3)
    await server.stop();
    running = false;
    ledger.open();
    await pollUntil(async () => ledger.attempts >= 12 || undefined);

    // Then it kept retrying instead of parking
    const [status] = await manager.status();
    expect(status.retrying?.attempts).toBeGreaterThanOrEqual(12);
    expect(status.lastError).toContain(`cannot book ${bad}`);
    expect(ledger.booked).toEqual([]);

    // When the storage is back
    await server.start();
    running = true;
    await manager.waitForPosition(positions[1], { timeoutMs: 30_000 });

    // Then it parked the event it keeps failing on, and went on
    const parked = await manager.listParked('refusing-ledger');
    expect(parked.map((p) => p.position)).toEqual([positions[0]]);
    expect(parked[0].attempts).toBeGreaterThanOrEqual(12);
    expect(ledger.booked).toEqual([good]);
  }, 90_000);
});
