import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import { isCelloError } from '@cello/core';
import { InlineProjectionError } from '@cello/event-sourcing/errors/inline-projection.error';
import type { Event } from '@cello/event-sourcing/event/event';
import type { EventStorage } from '@cello/event-sourcing/store/event-storage';
import type { EventStore } from '@cello/event-sourcing/store/event-store';
import type {
  InlineProjection,
  InlineProjectionContext,
} from '@cello/event-sourcing/store/inline-projection';
import { MemoryEventStorage } from '@cello/event-sourcing/store/memory/memory-event-storage';
import { MysqlEventStorage } from '@cello/event-sourcing/store/mysql/mysql-event-storage';
import { PostgresEventStorage } from '@cello/event-sourcing/store/postgres/postgres-event-storage';
import { orderEventStore } from '../../__fixtures__/order-event-store.fixture';
import { OrderCreated, OrderShipped } from '../../__fixtures__/order.fixture';
import { useMysqlDatabase } from '../../../../support/mysql-database';
import { usePostgresDatabase } from '../../../../support/postgres-database';

const created = (id: string) => new OrderCreated(id, 'c-1', [{ sku: 'A', quantity: 1 }]);

/** A read model row per event, written through the append's EntityManager; fails on OrderShipped when told. */
class OrderRows implements InlineProjection {
  readonly name = 'order-rows';
  failOnShipped = false;

  async project(event: Event, context: InlineProjectionContext): Promise<void> {
    await context.manager!.query(
      `INSERT INTO order_rows (stream_id, version, type) VALUES ('${context.streamId}', ${context.version}, '${context.type}')`,
    );
    if (this.failOnShipped && event instanceof OrderShipped) throw new Error('read model refused');
  }
}

describe.each([
  ['PostgreSQL', usePostgresDatabase, PostgresEventStorage],
  ['MySQL/MariaDB', useMysqlDatabase, MysqlEventStorage],
] as const)('inline projections on %s', (_, useDatabase, Storage) => {
  const db = useDatabase();
  let storage: EventStorage;
  let store: EventStore;
  let projection: OrderRows;

  const rows = (streamId: string) =>
    store.transaction(
      async (tx) =>
        (await tx.manager!.query(
          `SELECT version, type FROM order_rows WHERE stream_id = '${streamId}' ORDER BY version`,
        )) as { version: number; type: string }[],
    );

  beforeEach(async () => {
    storage = Storage.fromUrl(db.url, { poolSize: 4 });
    store = orderEventStore(storage);
    await store.transaction(async (tx) => {
      await tx.manager!.query(
        'CREATE TABLE IF NOT EXISTS order_rows (stream_id VARCHAR(100), version INT, type VARCHAR(100))',
      );
    });
    projection = new OrderRows();
    store.registerInlineProjection(projection);
  });

  afterEach(() => storage.close());

  it('should have the read model written when the append resolves', async () => {
    // Given
    const id = `order-${randomUUID()}`;
    // When
    const result = await store.append(id, [created(id), new OrderShipped(id, 'T-1')]);
    // Then
    expect(result.streamVersion).toBe(2);
    expect(result.positions).toHaveLength(2);
    expect((await rows(id)).map((row) => [Number(row.version), row.type])).toEqual([
      [1, 'OrderCreated'],
      [2, 'OrderShipped'],
    ]);
  });

  it('should roll the append and the read model back with InlineProjectionError when it throws', async () => {
    // Given
    const id = `order-${randomUUID()}`;
    projection.failOnShipped = true;
    // When
    const error = await store
      .append(id, [created(id), new OrderShipped(id, 'T-1')])
      .catch((caught: unknown) => caught);
    // Then
    expect(isCelloError(error, InlineProjectionError.code)).toBe(true);
    expect((error as InlineProjectionError).projection).toBe('order-rows');
    expect((error as Error).message).toContain('OrderShipped');
    expect(await store.streamVersion(id)).toBe(0);
    expect(await rows(id)).toEqual([]);
  });
});

describe.each([
  ['PostgreSQL', usePostgresDatabase, PostgresEventStorage],
  ['MySQL/MariaDB', useMysqlDatabase, MysqlEventStorage],
] as const)('inline projections in a transaction on %s', (_, useDatabase, Storage) => {
  const db = useDatabase();

  it('should project the appends of a transaction and roll the read model back with it', async () => {
    // Given
    const storage = Storage.fromUrl(db.url, { poolSize: 2 });
    const store = orderEventStore(storage);
    await store.transaction(async (tx) => {
      await tx.manager!.query(
        'CREATE TABLE IF NOT EXISTS order_rows (stream_id VARCHAR(100), version INT, type VARCHAR(100))',
      );
    });
    store.registerInlineProjection(new OrderRows());
    const [kept, dropped] = [`order-${randomUUID()}`, `order-${randomUUID()}`];
    const countRows = (streamId: string) =>
      store.transaction(
        async (tx) =>
          (
            (await tx.manager!.query(
              `SELECT stream_id FROM order_rows WHERE stream_id = '${streamId}'`,
            )) as unknown[]
          ).length,
      );
    // When
    await store.transaction(async (tx) => {
      await tx.append(kept, created(kept));
    });
    const error = await store
      .transaction(async (tx) => {
        await tx.append(dropped, created(dropped));
        throw new Error('the command changed its mind');
      })
      .catch((caught: unknown) => caught);
    // Then
    expect((error as Error).message).toBe('the command changed its mind');
    expect(await countRows(kept)).toBe(1);
    expect(await countRows(dropped)).toBe(0);
    expect(await store.streamVersion(dropped)).toBe(0);
    await storage.close();
  });
});

describe('inline projections on memory', () => {
  it('should run before the append resolves, and refuse the append when it throws', async () => {
    // Given
    const storage = new MemoryEventStorage();
    const store = orderEventStore(storage);
    const seen: string[] = [];
    store.registerInlineProjection({
      name: 'strict',
      project: (event, context) => {
        if (event instanceof OrderShipped) throw new Error('no shipping yet');
        seen.push(`${context.streamId}@${context.version}`);
      },
    });
    const [ok, refused] = [`order-${randomUUID()}`, `order-${randomUUID()}`];
    // When
    await store.append(ok, created(ok));
    const error = await store
      .append(refused, [created(refused), new OrderShipped(refused, 'T-1')])
      .catch((caught: unknown) => caught);
    // Then
    expect(seen).toEqual([`${ok}@1`, `${refused}@1`]);
    expect(isCelloError(error, InlineProjectionError.code)).toBe(true);
    expect(await store.streamVersion(ok)).toBe(1);
    expect(await store.streamVersion(refused)).toBe(0);
    await storage.close();
  });

  it('should leave plain appends alone once unregistered', async () => {
    // Given
    const storage = new MemoryEventStorage();
    const store = orderEventStore(storage);
    const unregister = store.registerInlineProjection({
      name: 'refuse-all',
      project: () => {
        throw new Error('refused');
      },
    });
    const id = `order-${randomUUID()}`;
    // When
    unregister();
    const result = await store.append(id, created(id));
    // Then
    expect(result.positions).toHaveLength(1);
    await storage.close();
  });
});
