import { randomUUID } from 'node:crypto';
import type { TestingModule } from '@nestjs/testing';
import { Client } from 'pg';
import { usePostgresDatabase } from '../../../../test/support/postgres-database';
import { EventStore } from '../store/event-store';
import { PostgresEventStorage } from '../store/postgres/postgres-event-storage';
import { SubscriptionManager } from './subscription-manager';
import {
  describeSubscriptionScenarios,
  OrderHistory,
  OrderPlaced,
  SlowReport,
} from './testing/subscription-scenarios';
import { bootSubscriptionApp, pollUntil, tablePrefixFor } from './testing/subscription-test-app';

describe('on a fresh PostgreSQL database', () => {
  const db = usePostgresDatabase();

  // Each app opens its own storage (pool). Apps booted with the same key share
  // tables (restart, several instances); other cases get their own table
  // prefix, so checkpoints never mix.
  describeSubscriptionScenarios('PostgreSQL', {
    durable: true,
    options: (key) => ({
      storage: PostgresEventStorage.fromUrl(db.url, {
        poolSize: 3,
        tablePrefix: tablePrefixFor(key),
      }),
    }),
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
