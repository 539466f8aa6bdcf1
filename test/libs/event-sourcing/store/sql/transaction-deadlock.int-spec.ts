import 'reflect-metadata';
import { createConnection } from 'mysql2/promise';
import { randomUUID } from 'node:crypto';
import { isCelloError } from '@cello/core';
import { TransactionConflictError } from '@cello/event-sourcing/errors/transaction-conflict.error';
import type { EventStorage } from '@cello/event-sourcing/store/event-storage';
import type { EventStore } from '@cello/event-sourcing/store/event-store';
import type { EventStoreTransaction } from '@cello/event-sourcing/store/event-store-transaction';
import { MysqlEventStorage } from '@cello/event-sourcing/store/mysql/mysql-event-storage';
import { PostgresEventStorage } from '@cello/event-sourcing/store/postgres/postgres-event-storage';
import { orderEventStore } from '../../__fixtures__/order-event-store.fixture';
import { OrderCreated, OrderShipped } from '../../__fixtures__/order.fixture';
import { waitUntil } from '../../../../support/eventually';
import { useMysqlDatabase } from '../../../../support/mysql-database';
import { connectToTestDatabase, usePostgresDatabase } from '../../../../support/postgres-database';

const created = (id: string) => new OrderCreated(id, 'c-1', [{ sku: 'A', quantity: 1 }]);

type Step = (tx: EventStoreTransaction) => Promise<unknown>;

/** Sessions of the test database blocked on a lock. */
const LOCK_WAITS = {
  postgres:
    "SELECT count(*) AS n FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND datname = current_database()",
  // A session of this database inside a statement, other than the probe: the one that did not
  // arrive is blocked in its append (MariaDB shows it "Updating" the log head, yet INNODB_TRX does
  // not always list it as LOCK WAIT).
  mysql:
    'SELECT COUNT(*) AS n FROM information_schema.PROCESSLIST ' +
    "WHERE DB = DATABASE() AND ID <> CONNECTION_ID() AND COMMAND = 'Query'",
};

/** A connection to the test database that answers plain rows, on either engine. */
async function openProbe(url: string) {
  if (url.startsWith('mysql')) {
    const connection = await createConnection(url);
    return {
      query: async (sql: string) => (await connection.query(sql))[0] as { n: number | string }[],
      close: () => connection.end(),
    };
  }
  const client = await connectToTestDatabase(url);
  return {
    query: async (sql: string) => (await client.query<{ n: string }>(sql)).rows,
    close: () => client.end(),
  };
}

describe.each([
  ['PostgreSQL', usePostgresDatabase, PostgresEventStorage, LOCK_WAITS.postgres, '40P01'],
  ['MySQL/MariaDB', useMysqlDatabase, MysqlEventStorage, LOCK_WAITS.mysql, 'ER_LOCK_DEADLOCK'],
] as const)(
  'EventStore.transaction on %s when two transactions deadlock',
  (_, useDatabase, Storage, lockWaitsSql, cause) => {
    const db = useDatabase();
    let storage: EventStorage;
    let store: EventStore;

    beforeEach(async () => {
      storage = Storage.fromUrl(db.url, { poolSize: 4 });
      store = orderEventStore(storage);
      await store.transaction(async (tx) => {
        await tx.manager!.query(
          'CREATE TABLE IF NOT EXISTS app_account (id VARCHAR(20) PRIMARY KEY, balance INT NOT NULL)',
        );
        await tx.manager!.query('DELETE FROM app_account');
        await tx.manager!.query("INSERT INTO app_account (id, balance) VALUES ('a', 0), ('b', 0)");
      });
    });

    afterEach(() => storage.close());

    // Counted on a connection of its own, outside the store: the probe must never queue behind
    // the two transactions it watches (pool, gates), or the wait below could not see them.
    let probe: { query(sql: string): Promise<{ n: number | string }[]>; close(): Promise<void> };
    beforeEach(async () => {
      probe = await openProbe(db.url);
    });
    afterEach(() => probe.close());

    const lockWaits = async (): Promise<number> => Number((await probe.query(lockWaitsSql))[0].n);

    /**
     * Two transactions doing `first` and `second` in opposite order, then
     * `then`. Each takes its second step once both hold their first lock:
     * both arrived, or one is already blocked on the other's lock (on MySQL
     * an append also locks the log head, so a second append waits there).
     */
    const deadlock = (
      first: Step,
      second: Step,
      then: (tx: EventStoreTransaction, index: number) => Promise<unknown> = async () => undefined,
    ): Promise<PromiseSettledResult<unknown>[]> => {
      let arrived = 0;
      const bothHoldOne = async (): Promise<void> => {
        arrived += 1;
        await waitUntil(
          'both transactions hold a lock',
          async () => arrived === 2 || (await lockWaits()) > 0,
          60_000,
        );
      };
      return Promise.allSettled(
        [
          [first, second],
          [second, first],
        ].map(([one, other], index) =>
          store.transaction(async (tx) => {
            await one(tx);
            await bothHoldOne();
            await other(tx);
            await then(tx, index);
          }),
        ),
      );
    };

    it('should fail one of two transactions appending to two streams in opposite order with TransactionConflictError, and store none of its appends', async () => {
      // Given: both streams exist, so each append locks an existing stream row
      const [a, b] = [`order-${randomUUID()}`, `order-${randomUUID()}`];
      await store.append(a, created(a));
      await store.append(b, created(b));

      // When
      const outcomes = await deadlock(
        (tx) => tx.append(a, new OrderShipped(a, 'T-1')),
        (tx) => tx.append(b, new OrderShipped(b, 'T-1')),
      );

      // Then: one committed both appends, the other is a typed, retryable conflict that left nothing
      const failed = outcomes.filter((o): o is PromiseRejectedResult => o.status === 'rejected');
      expect(failed).toHaveLength(1);
      const error = failed[0].reason as TransactionConflictError;
      expect(isCelloError(error, TransactionConflictError.code)).toBe(true);
      expect(error).toMatchObject({ reason: 'deadlock', transient: true });
      expect((error.cause as { code?: string }).code).toBe(cause);
      expect(await store.streamVersion(a)).toBe(2);
      expect(await store.streamVersion(b)).toBe(2);

      // And running the lost transaction again succeeds
      await store.transaction(async (tx) => {
        await tx.append(a, new OrderShipped(a, 'T-2'));
        await tx.append(b, new OrderShipped(b, 'T-2'));
      });
      expect([await store.streamVersion(a), await store.streamVersion(b)]).toEqual([3, 3]);
    });

    it('should still fail the transaction whose callback caught the conflict of its append, storing nothing of it', async () => {
      // Given
      const [a, b] = [`order-${randomUUID()}`, `order-${randomUUID()}`];
      await store.append(a, created(a));
      await store.append(b, created(b));
      const swallowing =
        (step: Step): Step =>
        (tx) =>
          step(tx).catch(() => undefined);

      // When: both callbacks swallow what their appends throw, and resolve
      const outcomes = await deadlock(
        swallowing((tx) => tx.append(a, new OrderShipped(a, 'T-1'))),
        swallowing((tx) => tx.append(b, new OrderShipped(b, 'T-1'))),
      );

      // Then: the loser's transaction is not reported as committed
      const failed = outcomes.filter((o): o is PromiseRejectedResult => o.status === 'rejected');
      expect(failed).toHaveLength(1);
      expect(isCelloError(failed[0].reason, TransactionConflictError.code)).toBe(true);
      expect(await store.streamVersion(a)).toBe(2);
      expect(await store.streamVersion(b)).toBe(2);
    });

    it("should fail one of two transactions updating the app's own rows in opposite order with TransactionConflictError, rolling back its append", async () => {
      // Given
      const streams = [`order-${randomUUID()}`, `order-${randomUUID()}`];
      const update =
        (id: string): Step =>
        (tx) =>
          tx.manager!.query(`UPDATE app_account SET balance = balance + 1 WHERE id = '${id}'`);

      // When: each transaction updates the two rows in opposite order, then appends to its own stream
      const outcomes = await deadlock(update('a'), update('b'), (tx, index) =>
        tx.append(streams[index], created(streams[index])),
      );

      // Then
      const failed = outcomes.findIndex((o) => o.status === 'rejected');
      expect(outcomes.filter((o) => o.status === 'rejected')).toHaveLength(1);
      const error = (outcomes[failed] as PromiseRejectedResult).reason as TransactionConflictError;
      expect(isCelloError(error, TransactionConflictError.code)).toBe(true);
      expect(error.reason).toBe('deadlock');
      expect(await store.streamVersion(streams[1 - failed])).toBe(1);
      expect(await store.streamVersion(streams[failed])).toBe(0);
      const balances = (await store.transaction((tx) =>
        tx.manager!.query('SELECT balance FROM app_account ORDER BY id'),
      )) as { balance: number }[];
      expect(balances.map((row) => Number(row.balance))).toEqual([1, 1]);
    });
  },
);
