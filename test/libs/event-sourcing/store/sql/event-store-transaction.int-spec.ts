import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import { isCelloError } from '@cello/core';
import { ConcurrencyError } from '@cello/event-sourcing/errors/concurrency.error';
import { TransactionsUnsupportedError } from '@cello/event-sourcing/errors/transactions-unsupported.error';
import type { EventStorage } from '@cello/event-sourcing/store/event-storage';
import type { EventStore } from '@cello/event-sourcing/store/event-store';
import { MemoryEventStorage } from '@cello/event-sourcing/store/memory/memory-event-storage';
import { MysqlEventStorage } from '@cello/event-sourcing/store/mysql/mysql-event-storage';
import { PostgresEventStorage } from '@cello/event-sourcing/store/postgres/postgres-event-storage';
import { orderEventStore } from '../../__fixtures__/order-event-store.fixture';
import { OrderCreated, OrderShipped } from '../../__fixtures__/order.fixture';
import { useMysqlDatabase } from '../../../../support/mysql-database';
import { usePostgresDatabase } from '../../../../support/postgres-database';

const created = (id: string) => new OrderCreated(id, 'c-1', [{ sku: 'A', quantity: 1 }]);

/** The application's own table, written through `tx.manager` next to the appends. */
async function ledgerNotes(store: EventStore): Promise<string[]> {
  return store.transaction(async (tx) => {
    const rows = (await tx.manager!.query('SELECT note FROM app_ledger ORDER BY note')) as {
      note: string;
    }[];
    return rows.map((row) => row.note);
  });
}

describe.each([
  ['PostgreSQL', usePostgresDatabase, PostgresEventStorage],
  ['MySQL/MariaDB', useMysqlDatabase, MysqlEventStorage],
] as const)('EventStore.transaction on %s', (_, useDatabase, Storage) => {
  const db = useDatabase();
  let storage: EventStorage;
  let store: EventStore;

  beforeEach(async () => {
    storage = Storage.fromUrl(db.url, { poolSize: 4 });
    store = orderEventStore(storage);
    await store.transaction(async (tx) => {
      await tx.manager!.query('CREATE TABLE IF NOT EXISTS app_ledger (note VARCHAR(100))');
      await tx.manager!.query('DELETE FROM app_ledger');
    });
  });

  afterEach(() => storage.close());

  it("should commit the app's own SQL with the appends of several streams", async () => {
    // Given
    const [a, b] = [`order-${randomUUID()}`, `order-${randomUUID()}`];
    // When
    await store.transaction(async (tx) => {
      await tx.append(a, created(a), { expectedVersion: 'no_stream' });
      await tx.append(b, created(b), { expectedVersion: 'no_stream' });
      await tx.manager!.query("INSERT INTO app_ledger (note) VALUES ('both created')");
    });
    // Then
    expect(await store.streamVersion(a)).toBe(1);
    expect(await store.streamVersion(b)).toBe(1);
    expect(await ledgerNotes(store)).toEqual(['both created']);
  });

  it("should roll back the app's own SQL and every append when an expected version fails", async () => {
    // Given
    const [a, b] = [`order-${randomUUID()}`, `order-${randomUUID()}`];
    await store.append(b, created(b));
    // When
    const error = await store
      .transaction(async (tx) => {
        await tx.manager!.query("INSERT INTO app_ledger (note) VALUES ('half done')");
        await tx.append(a, created(a), { expectedVersion: 'no_stream' });
        await tx.append(b, new OrderShipped(b, 'T-1'), { expectedVersion: 0 });
      })
      .catch((caught: unknown) => caught);
    // Then
    expect(isCelloError(error, ConcurrencyError.code)).toBe(true);
    expect(await store.streamVersion(a)).toBe(0);
    expect(await store.streamVersion(b)).toBe(1);
    expect(await ledgerNotes(store)).toEqual([]);
  });

  it('should read back the typed events a transaction appended', async () => {
    // Given
    const a = `order-${randomUUID()}`;
    // When
    await store.transaction(async (tx) => {
      await tx.append(a, [created(a), new OrderShipped(a, 'T-1')]);
    });
    // Then
    const events = await store.readStream(a);
    expect(events.map((recorded) => recorded.event.constructor)).toEqual([
      OrderCreated,
      OrderShipped,
    ]);
  });
});

describe('EventStore.transaction on memory', () => {
  it('should give no EntityManager and store the appends together', async () => {
    // Given
    const storage = new MemoryEventStorage();
    const store = orderEventStore(storage);
    const [a, b] = [`order-${randomUUID()}`, `order-${randomUUID()}`];
    // When
    const manager = await store.transaction(async (tx) => {
      await tx.append(a, created(a), { expectedVersion: 'no_stream' });
      await tx.append(b, created(b), { expectedVersion: 'no_stream' });
      return tx.manager;
    });
    // Then
    expect(manager).toBeUndefined();
    expect([await store.streamVersion(a), await store.streamVersion(b)]).toEqual([1, 1]);
    await storage.close();
  });

  it('should refuse a storage without transactions with a typed error', async () => {
    // Given
    const storage = new MemoryEventStorage();
    const plain = Object.create(storage) as EventStorage;
    Object.defineProperty(plain, 'transaction', { value: undefined });
    // When
    const error = await orderEventStore(plain)
      .transaction(async () => 'never')
      .catch((caught: unknown) => caught);
    // Then
    expect(isCelloError(error, TransactionsUnsupportedError.code)).toBe(true);
    await storage.close();
  });
});
