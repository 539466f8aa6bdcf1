import { randomUUID } from 'node:crypto';
import { isCelloError } from '@cello/core';
import { Injectable } from '@nestjs/common';
import type { TestingModule } from '@nestjs/testing';
import { Client } from 'pg';
import { EventBatchHandler } from '@cello/event-sourcing/decorators/event-batch-handler.decorator';
import { EventHandler } from '@cello/event-sourcing/decorators/event-handler.decorator';
import { EventSubscriber } from '@cello/event-sourcing/decorators/event-subscriber.decorator';
import { usePostgresDatabase } from '../../../support/postgres-database';
import { DuplicateSubscriberNameError } from '@cello/event-sourcing/errors/duplicate-subscriber-name.error';
import { EventStore } from '@cello/event-sourcing/store/event-store';
import { PostgresEventStorage } from '@cello/event-sourcing/store/postgres/postgres-event-storage';
import type { EventBatch } from '@cello/event-sourcing/subscriptions/event-batch';
import { SubscriptionManager } from '@cello/event-sourcing/subscriptions/subscription-manager';
import {
  describeBatchSubscriptionScenarios,
  PatientOrderTable,
} from './testing/batch-subscription-scenarios';
import {
  describeSubscriptionScenarios,
  OrderHistory,
  OrderPlaced,
  SlowReport,
} from './testing/subscription-scenarios';
import { bootSubscriptionApp, pollUntil, tablePrefixFor } from './testing/subscription-test-app';

/** A batch projection that can hold one of its calls until released: a slow write. */
@Injectable()
@EventSubscriber({ name: 'gated-order-table', batchSize: 5 })
class GatedOrderTable {
  readonly calls: number[][] = [];
  /** The call (1-based) that waits for `open()`; 0 = none. */
  holdCall = 0;
  private release!: () => void;
  private readonly gate = new Promise<void>((resolve) => (this.release = resolve));

  @EventBatchHandler(OrderPlaced)
  async write(batch: EventBatch<OrderPlaced>): Promise<void> {
    this.calls.push(batch.map((item) => item.envelope.position));
    if (this.calls.length === this.holdCall) await this.gate;
  }

  open(): void {
    this.release();
  }
}

describe('on a fresh PostgreSQL database', () => {
  const db = usePostgresDatabase();

  // Each app opens its own storage (pool). Apps booted with the same key share
  // tables (restart, several instances); other cases get their own table
  // prefix, so checkpoints never mix.
  const backend = {
    durable: true,
    options: (key: string) => ({
      storage: PostgresEventStorage.fromUrl(db.url, {
        poolSize: 3,
        tablePrefix: tablePrefixFor(key),
      }),
    }),
  };
  describeSubscriptionScenarios('PostgreSQL', backend);
  describeBatchSubscriptionScenarios('PostgreSQL', backend);

  describe('when the lease moves while a batch handler runs with the next page read ahead', () => {
    const apps: TestingModule[] = [];

    afterEach(async () => {
      await Promise.all(apps.splice(0).map((app) => app.close()));
    });

    it('should neither skip nor deliver the read-ahead page in the old holder; the new one resumes at the checkpoint', async () => {
      // Given a holder busy on its second batch of five, having read the third page ahead
      const prefix = tablePrefixFor(randomUUID());
      const storage = PostgresEventStorage.fromUrl(db.url, { poolSize: 3, tablePrefix: prefix });
      const reads: number[] = [];
      const readAll = storage.readAll.bind(storage);
      storage.readAll = (options) => {
        reads.push(options?.fromPosition ?? 0);
        return readAll(options);
      };
      const subscriptions = { pollIntervalMs: 50, leaseTtlMs: 1500 };
      const one = await bootSubscriptionApp(
        { storage, subscriptions: { ...subscriptions, autoStart: false } },
        [GatedOrderTable],
      );
      apps.push(one);
      const positions: number[] = [];
      for (let i = 0; i < 20; i++) {
        const orderId = `o-${randomUUID()}`;
        const result = await one
          .get(EventStore)
          .append(orderId, [new OrderPlaced(orderId, new Date())]);
        positions.push(result.positions[0]);
      }
      const last = positions[19];
      const held = one.get(GatedOrderTable);
      held.holdCall = 2;
      one.get(SubscriptionManager).start();
      await pollUntil(async () => held.calls.length === 2 || undefined);
      await pollUntil(async () => reads.includes(positions[9] + 1) || undefined);

      // When another instance takes the lease over (the holder looked dead), and the holder's write then finishes
      const sql = new Client({ connectionString: db.url });
      await sql.connect();
      await sql.query(
        `UPDATE ${storage.tables.processors} SET owner = 'crashed', fencing_token = fencing_token + 1, ` +
          "lease_expires_at = now() - interval '1 second' WHERE name = 'gated-order-table'",
      );
      const two = await bootSubscriptionApp(
        {
          storage: PostgresEventStorage.fromUrl(db.url, { poolSize: 3, tablePrefix: prefix }),
          subscriptions,
        },
        [GatedOrderTable],
      );
      apps.push(two);
      await two.get(SubscriptionManager).waitForPosition(last, { timeoutMs: 15_000 });
      held.open();
      await pollUntil(async () =>
        (await one.get(SubscriptionManager).status())[0].state === 'standby' ? true : undefined,
      );

      // Then the old holder delivered only the two batches it had started
      expect(held.calls).toEqual([positions.slice(0, 5), positions.slice(5, 10)]);
      // And the new holder resumed after the durable checkpoint: every later event once, in order
      expect(two.get(GatedOrderTable).calls.flat()).toEqual(positions.slice(5));
      const row = await sql.query(
        `SELECT checkpoint, owner FROM ${storage.tables.processors} WHERE name = 'gated-order-table'`,
      );
      await sql.end();
      expect(Number(row.rows[0].checkpoint)).toBe(last);
      expect(row.rows[0].owner).toBe(two.get(SubscriptionManager).instanceId);
    });
  });

  describe('when the lease is taken over while a failed batch waits for its retry', () => {
    let app: TestingModule | undefined;

    afterEach(async () => {
      await app?.close();
    });

    it('should give the batch up at once, write no checkpoint and step back to standby', async () => {
      // Given a batch that failed once and waits a minute for its next attempt
      const storage = PostgresEventStorage.fromUrl(db.url, {
        poolSize: 3,
        tablePrefix: tablePrefixFor(randomUUID()),
      });
      app = await bootSubscriptionApp(
        { storage, subscriptions: { autoStart: false, pollIntervalMs: 50, leaseTtlMs: 1500 } },
        [PatientOrderTable],
      );
      const store = app.get(EventStore);
      for (const orderId of [`o-${randomUUID()}`, `o-${randomUUID()}`]) {
        await store.append(orderId, [new OrderPlaced(orderId, new Date())]);
      }
      const table = app.get(PatientOrderTable);
      table.failNext = 1;
      const manager = app.get(SubscriptionManager);
      manager.start();
      await pollUntil(async () => table.calls.length === 1 || undefined);

      // When another instance takes the lease over
      const sql = new Client({ connectionString: db.url });
      await sql.connect();
      await sql.query(
        `UPDATE ${storage.tables.processors} SET owner = 'thief', fencing_token = fencing_token + 1, ` +
          "lease_expires_at = now() + interval '1 hour' WHERE name = 'patient-order-table'",
      );

      // Then the old holder stops retrying, leaves the checkpoint alone and stands by
      await pollUntil(async () =>
        (await manager.status())[0].state === 'standby' ? true : undefined,
      );
      const row = await sql.query(
        `SELECT checkpoint, owner FROM ${storage.tables.processors} WHERE name = 'patient-order-table'`,
      );
      await sql.end();
      expect(table.calls).toHaveLength(1);
      expect(table.written).toEqual([]);
      expect(row.rows[0]).toMatchObject({ owner: 'thief' });
      expect(Number(row.rows[0].checkpoint)).toBe(0);
    });
  });

  describe('when a transaction holding a lower position commits after a higher one', () => {
    let app: TestingModule | undefined;
    let other: Client | undefined;

    afterEach(async () => {
      await other?.end();
      await app?.close();
    });

    it('should deliver neither until the lower one commits, then both in order', async () => {
      // Given a running subscriber and a transaction that took a position and stays open
      const storage = PostgresEventStorage.fromUrl(db.url, {
        poolSize: 3,
        tablePrefix: tablePrefixFor(randomUUID()),
      });
      app = await bootSubscriptionApp(
        {
          storage,
          subscriptions: { pollIntervalMs: 50, leaseTtlMs: 5000 },
        },
        [OrderHistory],
      );
      const manager = app.get(SubscriptionManager);
      other = new Client({ connectionString: db.url });
      await other.connect();
      await other.query('BEGIN');
      const slow = `slow-${randomUUID()}`;
      const lower = await appendInOpenTransaction(other, storage, slow);

      // When a higher position commits meanwhile
      const fast = `fast-${randomUUID()}`;
      const [higher] = (await app.get(EventStore).append(fast, [new OrderPlaced(fast, new Date())]))
        .positions;
      expect(higher).toBeGreaterThan(lower);

      // Then the subscriber does not pass the gap, however long it polls
      const stuck = await manager
        .waitForPosition(higher, { timeoutMs: 600 })
        .catch((error: unknown) => error);
      expect(stuck).toMatchObject({ code: 'wait-for-position-timeout' });
      expect(app.get(OrderHistory).seen).toEqual([]);

      // When the lower one commits
      await other.query('COMMIT');

      // Then both arrive, lower first
      await manager.waitForPosition(higher);
      expect(app.get(OrderHistory).seen.map((s) => [s.orderId, s.position])).toEqual([
        [slow, lower],
        [fast, higher],
      ]);
    });
  });

  describe('when the lease is taken over while a handler runs (a paused instance)', () => {
    let app: TestingModule | undefined;

    afterEach(async () => {
      await app?.close();
    });

    it('should write no checkpoint with the stale lease and step back to standby', async () => {
      // Given a subscriber busy on an event
      const storage = PostgresEventStorage.fromUrl(db.url, {
        poolSize: 3,
        tablePrefix: tablePrefixFor(randomUUID()),
      });
      app = await bootSubscriptionApp(
        {
          storage,
          subscriptions: { pollIntervalMs: 50, leaseTtlMs: 1500 },
        },
        [SlowReport],
      );
      const manager = app.get(SubscriptionManager);
      const orderId = `o-${randomUUID()}`;
      await app.get(EventStore).append(orderId, [new OrderPlaced(orderId, new Date())]);
      await pollUntil(async () =>
        (await manager.status())[0].state === 'running' ? true : undefined,
      );

      // When another instance takes the lease over meanwhile, and the handler then finishes
      const sql = new Client({ connectionString: db.url });
      await sql.connect();
      const thief = await sql.query(
        `UPDATE ${storage.tables.processors} SET owner = 'thief', fencing_token = fencing_token + 1, ` +
          "lease_expires_at = now() + interval '1 hour' WHERE name = 'slow-report' RETURNING fencing_token",
      );
      expect(thief.rowCount).toBe(1);
      app.get(SlowReport).open();

      // Then the old holder's checkpoint write is refused and it stops running the subscriber
      await pollUntil(async () =>
        (await manager.status())[0].state === 'standby' ? true : undefined,
      );
      const row = await sql.query(
        `SELECT checkpoint, owner FROM ${storage.tables.processors} WHERE name = 'slow-report'`,
      );
      await sql.end();
      expect(row.rows[0]).toMatchObject({ owner: 'thief' });
      expect(Number(row.rows[0].checkpoint)).toBe(0);
    });
  });

  describe('when the database becomes unreachable while subscribers start', () => {
    let app: TestingModule | undefined;

    afterEach(async () => {
      await setConnectionsAllowed(db.url, true);
      await app?.close();
    });

    it('should keep the app up, report the error, and catch up once the database is back', async () => {
      // Given an app whose subscribers are not started yet
      app = await bootSubscriptionApp(
        {
          storage: PostgresEventStorage.fromUrl(db.url, {
            poolSize: 2,
            tablePrefix: tablePrefixFor(randomUUID()),
            connectionTimeoutMs: 500,
          }),
          subscriptions: { autoStart: false, pollIntervalMs: 100, leaseTtlMs: 1500 },
        },
        [OrderHistory],
      );
      const manager = app.get(SubscriptionManager);

      // When the database refuses connections and the subscribers start
      await setConnectionsAllowed(db.url, false);
      manager.start();

      // Then they report the outage instead of crashing anything
      const [down] = await pollUntil(async () => {
        const statuses = await manager.status();
        return statuses[0].lastError ? statuses : undefined;
      });
      expect(down.state).not.toBe('failed');

      // When the database is back
      await setConnectionsAllowed(db.url, true);
      const orderId = `o-${randomUUID()}`;
      const [position] = (
        await retry(() =>
          app!.get(EventStore).append(orderId, [new OrderPlaced(orderId, new Date())]),
        )
      ).positions;

      // Then the subscriber resumes without a restart
      await manager.waitForPosition(position, { timeoutMs: 15_000 });
      expect(app.get(OrderHistory).seen.map((s) => s.orderId)).toEqual([orderId]);
      expect((await manager.status())[0].state).toBe('running');
    });
  });
});

/** Runs the storage's append function on `client`, inside the transaction it has open. */
async function appendInOpenTransaction(
  client: Client,
  storage: PostgresEventStorage,
  orderId: string,
): Promise<number> {
  const result = await client.query<{ positions: string[] }>(
    `SELECT positions FROM ${storage.tables.appendFunction}($1, $2, $3, $4, $5, $6, $7, $8)`,
    [
      [orderId],
      [-1],
      [1],
      [randomUUID()],
      ['SubscriptionTest.OrderPlaced'],
      [1],
      [JSON.stringify({ orderId, placedAt: new Date().toISOString() })],
      ['{}'],
    ],
  );
  return Number(result.rows[0].positions[0]);
}

/** Closes the database to new connections and cuts the open ones, or opens it again. */
async function setConnectionsAllowed(url: string, allowed: boolean): Promise<void> {
  const name = new URL(url).pathname.slice(1);
  const admin = new Client({ connectionString: process.env.CELLO_TEST_PG_ADMIN_URL });
  await admin.connect();
  try {
    await admin.query(`ALTER DATABASE "${name}" ALLOW_CONNECTIONS ${allowed ? 'true' : 'false'}`);
    if (!allowed) {
      await admin.query(
        'SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()',
        [name],
      );
    }
  } finally {
    await admin.end();
  }
}

/** Retries `work` while the pool reconnects after the outage. */
async function retry<T>(work: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await work();
    } catch (error) {
      if (attempt >= 50) throw error;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

@Injectable()
@EventSubscriber({ name: 'order-history' })
class SecondOrderHistory {
  @EventHandler(OrderPlaced)
  onPlaced(): void {}
}

describe('when an app on a PostgreSQL URL fails to start on a misdeclared subscriber', () => {
  const db = usePostgresDatabase();

  it('should fail before its storage connects, leaving no connection open', async () => {
    // Given two subscribers sharing a name, and a storage the module opens from a URL
    const tablePrefix = tablePrefixFor(randomUUID());

    // When
    const error = await bootSubscriptionApp({ storage: db.url, tablePrefix }, [
      OrderHistory,
      SecondOrderHistory,
    ]).catch((e: unknown) => e);

    // Then
    expect(isCelloError(error, DuplicateSubscriberNameError.code)).toBe(true);
    const client = new Client(db.url);
    await client.connect();
    try {
      const { rows } = await client.query<{ count: string }>(
        `SELECT count(*) FROM pg_stat_activity
          WHERE datname = current_database() AND application_name = 'cello-event-store'`,
      );
      expect(Number(rows[0].count)).toBe(0);
    } finally {
      await client.end();
    }
  });
});
