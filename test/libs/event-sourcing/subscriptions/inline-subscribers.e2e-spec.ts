import { randomUUID } from 'node:crypto';
import { isCelloError } from '@cello/core';
import { Injectable } from '@nestjs/common';
import type { TestingModule } from '@nestjs/testing';
import type { EntityManager } from 'typeorm';
import { EventBatchHandler } from '@cello/event-sourcing/decorators/event-batch-handler.decorator';
import { EventHandler } from '@cello/event-sourcing/decorators/event-handler.decorator';
import { EventSubscriber } from '@cello/event-sourcing/decorators/event-subscriber.decorator';
import { InlineProjectionError } from '@cello/event-sourcing/errors/inline-projection.error';
import { InlineSubscriberOperationError } from '@cello/event-sourcing/errors/inline-subscriber-operation.error';
import { InvalidSubscriberError } from '@cello/event-sourcing/errors/invalid-subscriber.error';
import { SubscriptionsHealthIndicator } from '@cello/event-sourcing/health/subscriptions.health-indicator';
import { EventStore } from '@cello/event-sourcing/store/event-store';
import type { InlineProjectionContext } from '@cello/event-sourcing/store/inline-projection';
import type { EventBatch } from '@cello/event-sourcing/subscriptions/event-batch';
import type { OnSubscriberReset } from '@cello/event-sourcing/subscriptions/subscriber-definition';
import { SubscriptionManager } from '@cello/event-sourcing/subscriptions/subscription-manager';
import { OrderCreated, OrderShipped } from '../__fixtures__/order.fixture';
import { useMysqlDatabase } from '../../../support/mysql-database';
import { usePostgresDatabase } from '../../../support/postgres-database';
import { bootSubscriptionApp } from './testing/subscription-test-app';

const created = (id: string) => new OrderCreated(id, 'c-1', [{ sku: 'A', quantity: 1 }]);

/**
 * An order list kept inline: a row per order in SQL (through the append's
 * EntityManager), or in a map on memory. Refuses a shipment when told to.
 */
@Injectable()
@EventSubscriber({ name: 'order-list', inline: true, batchSize: 3 })
class OrderList implements OnSubscriberReset {
  readonly rows = new Map<string, string>();
  refuseShipments = false;
  /** Refuses the shipments a rebuild replays. */
  refuseReplayedShipments = false;
  resets: { position: number; withManager: boolean }[] = [];

  @EventHandler(OrderCreated)
  async onCreated(event: OrderCreated, context: InlineProjectionContext): Promise<void> {
    await this.write(context.manager, event.orderId, 'created');
  }

  @EventHandler(OrderShipped)
  async onShipped(event: OrderShipped, context: InlineProjectionContext): Promise<void> {
    if (this.refuseShipments) throw new Error('shipments are refused');
    if (this.refuseReplayedShipments && context.replaying) throw new Error('replay refused');
    await this.write(context.manager, event.orderId, 'shipped');
  }

  async onSubscriberReset(position: number, manager?: EntityManager): Promise<void> {
    this.resets.push({ position, withManager: manager !== undefined });
    if (manager) await manager.query('DELETE FROM inline_orders');
    else this.rows.clear();
  }

  private async write(manager: EntityManager | undefined, id: string, status: string) {
    if (!manager) {
      this.rows.set(id, status);
      return;
    }
    await manager.query(`DELETE FROM inline_orders WHERE id = '${id}'`);
    await manager.query(`INSERT INTO inline_orders (id, status) VALUES ('${id}', '${status}')`);
  }
}

/** An asynchronous subscriber beside it, to tell the modes apart in `status()`. */
@Injectable()
@EventSubscriber({ name: 'order-mailer' })
class OrderMailer {
  @EventHandler(OrderShipped)
  onShipped(): void {}
}

const backends = [
  ['memory', () => ({ storage: 'memory' as const }), false],
  ['PostgreSQL', usePostgresDatabase, true],
  ['MySQL/MariaDB', useMysqlDatabase, true],
] as const;

describe.each(backends)('inline subscribers on %s', (_, useBackend, sql) => {
  const backend = useBackend();
  let app: TestingModule;
  let store: EventStore;
  let list: OrderList;

  /** The order's status as the read model has it, read in a transaction of its own. */
  const statusOf = async (id: string): Promise<string | undefined> => {
    if (!sql) return list.rows.get(id);
    return store.transaction(async (tx) => {
      const rows = (await tx.manager!.query(
        `SELECT status FROM inline_orders WHERE id = '${id}'`,
      )) as { status: string }[];
      return rows[0]?.status;
    });
  };

  beforeEach(async () => {
    const storage = 'url' in backend ? backend.url : backend.storage;
    app = await bootSubscriptionApp({ storage }, [OrderList, OrderMailer]);
    store = app.get(EventStore);
    list = app.get(OrderList);
    if (sql) {
      await store.transaction(async (tx) => {
        await tx.manager!.query(
          'CREATE TABLE IF NOT EXISTS inline_orders (id VARCHAR(100) PRIMARY KEY, status VARCHAR(20))',
        );
      });
    }
  });

  afterEach(() => app.close());

  it('should have the read model written when the append resolves', async () => {
    // Given
    const id = `order-${randomUUID()}`;
    // When
    await store.append(id, [created(id), new OrderShipped(id, 'T-1')]);
    // Then
    expect(await statusOf(id)).toBe('shipped');
  });

  it('should roll the append back with InlineProjectionError when its handler throws', async () => {
    // Given
    const id = `order-${randomUUID()}`;
    list.refuseShipments = true;
    // When
    const error = await store
      .append(id, [created(id), new OrderShipped(id, 'T-1')])
      .catch((caught: unknown) => caught);
    // Then
    expect(isCelloError(error, InlineProjectionError.code)).toBe(true);
    expect((error as InlineProjectionError).projection).toBe('order-list');
    expect(await store.streamVersion(id)).toBe(0);
    // On SQL the row rolled back with the append; a map in memory cannot (no manager there).
    expect(await statusOf(id)).toBe(sql ? undefined : 'created');
  });

  it('should list it in status() and the health details as inline, never behind', async () => {
    // Given
    const id = `order-${randomUUID()}`;
    await store.append(id, created(id));
    // When
    const statuses = await app.get(SubscriptionManager).status();
    const health = await app.get(SubscriptionsHealthIndicator).isHealthy();
    // Then
    const inline = statuses.find((s) => s.name === 'order-list')!;
    expect(inline).toMatchObject({ mode: 'inline', state: 'running', lag: 0 });
    expect(inline.checkpoint).toBe(inline.headPosition);
    expect(statuses.find((s) => s.name === 'order-mailer')).toMatchObject({ mode: 'async' });
    expect(health.subscriptions).toMatchObject({
      status: 'up',
      subscribers: { 'order-list': { mode: 'inline', state: 'running', lag: 0 } },
    });
  });

  it('should rebuild it through SubscriptionManager.rebuild: reset hook, then the whole log', async () => {
    // Given: orders projected, then the read model lost
    const ids = Array.from({ length: 5 }, () => `order-${randomUUID()}`);
    for (const id of ids) await store.append(id, created(id));
    await store.append(ids[0], new OrderShipped(ids[0], 'T-1'));
    if (sql) {
      await store.transaction((tx) => tx.manager!.query('DELETE FROM inline_orders'));
    } else {
      list.rows.clear();
    }
    // When
    await app.get(SubscriptionManager).rebuild('order-list');
    // Then
    expect(list.resets).toEqual([{ position: 0, withManager: sql }]);
    expect(await Promise.all(ids.map(statusOf))).toEqual([
      'shipped',
      'created',
      'created',
      'created',
      'created',
    ]);
    const [status] = (await app.get(SubscriptionManager).status()).filter(
      (s) => s.name === 'order-list',
    );
    expect(status).toMatchObject({ mode: 'inline', state: 'running', lag: 0 });
    expect(status.rebuilding).toBeUndefined();
  });

  it('should report a failed rebuild as failed and down, skip it in appends, and recover with a rebuild', async () => {
    // Given
    const manager = app.get(SubscriptionManager);
    const id = `order-${randomUUID()}`;
    await store.append(id, [created(id), new OrderShipped(id, 'T-1')]);
    list.refuseReplayedShipments = true;
    // When
    const error = await manager.rebuild('order-list').catch((caught: unknown) => caught);
    const [failed] = (await manager.status()).filter((s) => s.name === 'order-list');
    const health = await app.get(SubscriptionsHealthIndicator).isHealthy();
    const other = `order-${randomUUID()}`;
    await store.append(other, created(other));
    const skipped = await statusOf(other);
    list.refuseReplayedShipments = false;
    await manager.rebuild('order-list');
    // Then
    expect(isCelloError(error, InlineProjectionError.code)).toBe(true);
    expect(failed).toMatchObject({ mode: 'inline', state: 'failed' });
    expect(failed.lastError).toContain('replay refused');
    expect(health.subscriptions.status).toBe('down');
    expect(skipped).toBeUndefined();
    expect([await statusOf(id), await statusOf(other)]).toEqual(['shipped', 'created']);
  });

  it('should let waitForPosition pass an inline subscriber at once: it is never behind', async () => {
    // Given
    const id = `order-${randomUUID()}`;
    const { positions } = await store.append(id, created(id));
    // When
    const waited = app.get(SubscriptionManager).waitForPosition(positions[0], {
      subscribers: ['order-list'],
      timeoutMs: 60_000,
    });
    // Then
    await expect(waited).resolves.toBeUndefined();
  });

  it('should refuse the operations of asynchronous subscribers with InlineSubscriberOperationError', async () => {
    // Given
    const manager = app.get(SubscriptionManager);
    // When
    const errors = await Promise.all([
      Promise.resolve()
        .then(() => manager.start('order-list'))
        .catch((e: unknown) => e),
      manager.stop('order-list').catch((e: unknown) => e),
      manager.reset('order-list', 5).catch((e: unknown) => e),
    ]);
    // Then
    for (const error of errors) {
      expect(isCelloError(error, InlineSubscriberOperationError.code)).toBe(true);
    }
    expect((errors[2] as Error).message).toContain('rebuild');
  });
});

/** One row per event, keyed by stream and version: applying an event twice breaks the key. */
@Injectable()
@EventSubscriber({ name: 'event-rows', inline: true, batchSize: 5 })
class EventRows implements OnSubscriberReset {
  @EventHandler(OrderCreated, OrderShipped)
  async on(_event: OrderCreated | OrderShipped, context: InlineProjectionContext): Promise<void> {
    await context.manager!.query(
      `INSERT INTO inline_event_rows (stream_id, version) VALUES ('${context.streamId}', ${context.version})`,
    );
  }

  async onSubscriberReset(_position: number, manager?: EntityManager): Promise<void> {
    await manager!.query('DELETE FROM inline_event_rows');
  }
}

describe.each(backends.filter(([, , sql]) => sql))(
  'when appends race the rebuild of an inline subscriber on %s',
  (_, useBackend) => {
    const backend = useBackend();

    it('should hold one row per stored event: none missed, none twice', async () => {
      // Given: a log of several pages
      const url = (backend as { url: string }).url;
      const app = await bootSubscriptionApp({ storage: url }, [EventRows]);
      const store = app.get(EventStore);
      await store.transaction(async (tx) => {
        await tx.manager!.query(
          'CREATE TABLE inline_event_rows (stream_id VARCHAR(100), version INT, PRIMARY KEY (stream_id, version))',
        );
      });
      const streams = Array.from({ length: 3 }, () => `order-${randomUUID()}`);
      for (const id of streams) await store.append(id, [created(id), created(id), created(id)]);
      // When: each stream gets appends until the rebuild is over
      let rebuilding = true;
      const rebuild = app
        .get(SubscriptionManager)
        .rebuild('event-rows')
        .finally(() => {
          rebuilding = false;
        });
      const racing = streams.map(async (id) => {
        for (let n = 0; rebuilding || n < 5; n++) await store.append(id, created(id));
      });
      await Promise.all([rebuild, ...racing]);
      // Then
      const rows = await store.transaction(
        async (tx) =>
          (await tx.manager!.query(
            'SELECT stream_id, COUNT(*) AS count, MAX(version) AS max FROM inline_event_rows GROUP BY stream_id',
          )) as { stream_id: string; count: string | number; max: string | number }[],
      );
      for (const id of streams) {
        const version = await store.streamVersion(id);
        const row = rows.find((r) => r.stream_id === id);
        expect({ id, count: Number(row?.count), max: Number(row?.max) }).toEqual({
          id,
          count: version,
          max: version,
        });
      }
      await app.close();
    });
  },
);

@Injectable()
@EventSubscriber({ name: 'retrying-inline', inline: true, maxAttempts: 3, startFrom: 'end' })
class RetryingInline {
  @EventHandler(OrderCreated)
  on(): void {}
}

@Injectable()
@EventSubscriber({ name: 'batched-inline', inline: true })
class BatchedInline {
  @EventBatchHandler(OrderCreated)
  on(_batch: EventBatch): void {}
}

describe('when an inline subscriber is misdeclared', () => {
  it.each([
    [RetryingInline, 'maxAttempts, startFrom do not apply to an inline subscriber'],
    [BatchedInline, '"on" has @EventBatchHandler, but the subscriber is inline'],
  ])('should fail the start-up of %p with InvalidSubscriberError', async (subscriber, message) => {
    // When
    const error = await bootSubscriptionApp({ storage: 'memory' }, [subscriber]).catch(
      (caught: unknown) => caught,
    );
    // Then
    expect(isCelloError(error, InvalidSubscriberError.code)).toBe(true);
    expect((error as Error).message).toContain(message);
  });
});
