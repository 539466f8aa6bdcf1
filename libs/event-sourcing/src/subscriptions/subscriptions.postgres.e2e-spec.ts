import { createHash, randomUUID } from 'node:crypto';
import { Test, type TestingModule } from '@nestjs/testing';
import { Client } from 'pg';
import { usePostgresDatabase } from '../../../../test/support/postgres-database';
import { EventSourcingModule } from '../event-sourcing.module';
import { EventStore } from '../store/event-store';
import { PostgresEventStorage } from '../store/postgres/postgres-event-storage';
import { SubscriptionManager } from './subscription-manager';
import {
  describeSubscriptionScenarios,
  OrderHistory,
  OrderPlaced,
} from './testing/subscription-scenarios';

function prefixOf(key: string): string {
  return `s${createHash('sha1').update(key).digest('hex').slice(0, 10)}_`;
}

describe('on a fresh PostgreSQL database', () => {
  const db = usePostgresDatabase();

  // Each app opens its own storage (pool). Apps booted with the same key share
  // tables (restart, several instances); other cases get their own table
  // prefix, so checkpoints never mix.
  describeSubscriptionScenarios('PostgreSQL', {
    durable: true,
    options: (key) => ({
      storage: PostgresEventStorage.fromUrl(db.url, { poolSize: 3, tablePrefix: prefixOf(key) }),
    }),
  });

  describe('when the database becomes unreachable while subscribers start', () => {
    let app: TestingModule | undefined;

    afterEach(async () => {
      await setConnectionsAllowed(db.url, true);
      await app?.close();
    });

    it('should keep the app up, report the error, and catch up once the database is back', async () => {
      // Given an app whose subscribers are not started yet
      app = await Test.createTestingModule({
        imports: [
          EventSourcingModule.forRoot({
            storage: PostgresEventStorage.fromUrl(db.url, {
              poolSize: 2,
              tablePrefix: prefixOf(randomUUID()),
              connectionTimeoutMs: 500,
            }),
            subscriptions: { autoStart: false, pollIntervalMs: 100, leaseTtlMs: 1500 },
          }),
        ],
        providers: [OrderHistory],
      }).compile();
      app.useLogger(false);
      await app.init();
      const manager = app.get(SubscriptionManager);

      // When the database refuses connections and the subscribers start
      await setConnectionsAllowed(db.url, false);
      manager.start();

      // Then they report the outage instead of crashing anything
      const [down] = await waitUntil(async () => {
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

async function waitUntil<T>(probe: () => Promise<T | undefined>): Promise<T> {
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    await new Promise((resolve) => setTimeout(resolve, 50));
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
