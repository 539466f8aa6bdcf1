import { randomUUID } from 'node:crypto';
import type { TestingModule } from '@nestjs/testing';
import { createConnection, type Connection, type ResultSetHeader } from 'mysql2/promise';
import { EventStore } from '@cello/event-sourcing/store/event-store';
import { MysqlEventStorage } from '@cello/event-sourcing/store/mysql/mysql-event-storage';
import { SubscriptionManager } from '@cello/event-sourcing/subscriptions/subscription-manager';
import { describeBatchSubscriptionScenarios } from '../libs/event-sourcing/subscriptions/testing/batch-subscription-scenarios';
import {
  describeSubscriptionScenarios,
  OrderHistory,
  OrderPlaced,
} from '../libs/event-sourcing/subscriptions/testing/subscription-scenarios';
import {
  bootSubscriptionApp,
  tablePrefixFor,
} from '../libs/event-sourcing/subscriptions/testing/subscription-test-app';
import { useMysqlDatabase } from '../support/mysql-database';

describe('on a fresh MySQL/MariaDB database', () => {
  const db = useMysqlDatabase();

  // An app that fails to boot (a scenario checks that) does not close the
  // storage it was given: close every one here, or its pool keeps jest alive.
  const opened: MysqlEventStorage[] = [];
  afterAll(async () => {
    await Promise.all(opened.map((storage) => storage.close()));
  });

  // The same scenarios as memory and PostgreSQL. Apps booted with the same key
  // share tables (restart, several instances); other cases get their own prefix.
  const backend = {
    durable: true,
    options: (key: string) => {
      const storage = MysqlEventStorage.fromUrl(db.url, {
        poolSize: 3,
        tablePrefix: tablePrefixFor(key),
      });
      opened.push(storage);
      return { storage };
    },
  };
  describeSubscriptionScenarios('MySQL', backend);
  describeBatchSubscriptionScenarios('MySQL', backend);

  describe('when an append holding a lower position has not committed yet', () => {
    let app: TestingModule | undefined;
    let other: Connection | undefined;

    afterEach(async () => {
      await other?.end();
      await app?.close();
    });

    it('should hold later appends back and deliver nothing until it commits, then both in order', async () => {
      // Given a running subscriber and a transaction that took a position and stays open
      const storage = MysqlEventStorage.fromUrl(db.url, {
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
      other = await createConnection({ uri: db.url, charset: 'utf8mb4_unicode_ci' });
      await other.query('START TRANSACTION');
      const slow = `slow-${randomUUID()}`;
      const lower = await appendInOpenTransaction(other, storage, slow);

      // When another append is made meanwhile
      const fast = `fast-${randomUUID()}`;
      let settled = false;
      const appending = app
        .get(EventStore)
        .append(fast, [new OrderPlaced(fast, new Date())])
        .finally(() => (settled = true));

      // Then it waits for the open one (positions commit in order), and nothing is delivered
      const stuck = await manager
        .waitForPosition(lower, { timeoutMs: 600 })
        .catch((error: unknown) => error);
      expect(stuck).toMatchObject({ code: 'wait-for-position-timeout' });
      expect(settled).toBe(false);
      expect(app.get(OrderHistory).seen).toEqual([]);

      // When the open one commits
      await other.query('COMMIT');

      // Then the other append gets the next position and both arrive, lower first
      const [higher] = (await appending).positions;
      expect(higher).toBe(lower + 1);
      await manager.waitForPosition(higher);
      expect(app.get(OrderHistory).seen.map((s) => [s.orderId, s.position])).toEqual([
        [slow, lower],
        [fast, higher],
      ]);
    });
  });
});

/** Does what the storage's append does, on `connection`, inside the transaction it has open. */
async function appendInOpenTransaction(
  connection: Connection,
  storage: MysqlEventStorage,
  orderId: string,
): Promise<number> {
  const t = storage.tables;
  await connection.query(`INSERT INTO ${t.streams} (stream_id, version) VALUES (?, 1)`, [orderId]);
  const [head] = await connection.query<ResultSetHeader>(
    `UPDATE ${t.logHead} SET position = LAST_INSERT_ID(position + 1) WHERE id = 1`,
  );
  const position = Number(head.insertId);
  await connection.query(
    `INSERT INTO ${t.events} (position, stream_id, version, event_id, type, schema_version, data, metadata) ` +
      "VALUES (?, ?, 1, ?, 'SubscriptionTest.OrderPlaced', 1, ?, '{}')",
    [
      position,
      orderId,
      randomUUID(),
      JSON.stringify({ orderId, placedAt: new Date().toISOString() }),
    ],
  );
  return position;
}
