import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import { isCelloError } from '@cello/core';
import { TransactionAbortedError } from '@cello/event-sourcing/errors/transaction-aborted.error';
import type { EventStorage } from '@cello/event-sourcing/store/event-storage';
import type { EventStore } from '@cello/event-sourcing/store/event-store';
import { MysqlEventStorage } from '@cello/event-sourcing/store/mysql/mysql-event-storage';
import { PostgresEventStorage } from '@cello/event-sourcing/store/postgres/postgres-event-storage';
import { orderEventStore } from '../../__fixtures__/order-event-store.fixture';
import { OrderCreated } from '../../__fixtures__/order.fixture';
import { useMysqlDatabase } from '../../../../support/mysql-database';
import { usePostgresDatabase } from '../../../../support/postgres-database';

const created = (id: string) => new OrderCreated(id, 'c-1', [{ sku: 'A', quantity: 1 }]);
const DIVISION_BY_ZERO = 'SELECT 1 / 0 AS boom';

describe('EventStore.transaction on PostgreSQL when the callback swallows a failed statement', () => {
  const db = usePostgresDatabase();
  let storage: EventStorage;
  let store: EventStore;

  beforeEach(() => {
    storage = PostgresEventStorage.fromUrl(db.url, { poolSize: 2 });
    store = orderEventStore(storage);
  });

  afterEach(() => storage.close());

  it('should reject with TransactionAbortedError instead of reporting a commit that stored nothing', async () => {
    // Given
    const id = `order-${randomUUID()}`;
    // When: the app's own statement fails inside the callback, which catches it and resolves
    const outcome = store.transaction(async (tx) => {
      await tx.append(id, created(id), { expectedVersion: 'no_stream' });
      await tx.manager!.query(DIVISION_BY_ZERO).catch(() => undefined);
      return 'done';
    });
    // Then
    const error = await outcome.then(
      () => undefined,
      (reason: unknown) => reason,
    );
    expect(isCelloError(error, TransactionAbortedError.code)).toBe(true);
    expect((error as TransactionAbortedError).message).toContain('SAVEPOINT');
    expect(await store.streamExists(id)).toBe(false);
  });

  it('should commit when the callback rolled back to a savepoint around the failed statement', async () => {
    // Given
    const id = `order-${randomUUID()}`;
    // When
    await store.transaction(async (tx) => {
      await tx.append(id, created(id), { expectedVersion: 'no_stream' });
      await tx.manager!.query('SAVEPOINT risky');
      await tx.manager!.query(DIVISION_BY_ZERO).catch(async () => {
        await tx.manager!.query('ROLLBACK TO SAVEPOINT risky');
      });
    });
    // Then
    expect(await store.streamVersion(id)).toBe(1);
  });
});

describe('EventStore.transaction on MySQL/MariaDB when the callback swallows a failed statement', () => {
  const db = useMysqlDatabase();
  let storage: EventStorage;

  afterEach(() => storage.close());

  it('should commit the rest, as MySQL rolls back only the failed statement', async () => {
    // Given
    storage = MysqlEventStorage.fromUrl(db.url, { poolSize: 2 });
    const store = orderEventStore(storage);
    const id = `order-${randomUUID()}`;
    // When: a duplicate key fails one statement; MySQL keeps the transaction open
    await store.transaction(async (tx) => {
      await tx.manager!.query('CREATE TABLE IF NOT EXISTS app_once (id INT PRIMARY KEY)');
      await tx.append(id, created(id), { expectedVersion: 'no_stream' });
      await tx.manager!.query('INSERT INTO app_once (id) VALUES (1)');
      await tx.manager!.query('INSERT INTO app_once (id) VALUES (1)').catch(() => undefined);
    });
    // Then
    expect(await store.streamVersion(id)).toBe(1);
  });
});
