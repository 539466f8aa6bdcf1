import 'reflect-metadata';
import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { Pool } from 'pg';
import {
  EventHandler,
  EventSourcingModule,
  EventStore,
  EventSubscriber,
  SubscriptionManager,
  type SubscriptionEnvelope,
} from '@cello/event-sourcing';
import { bootApp } from '../support/boot-app';
import { OrderPlaced, orderPlaced } from '../support/cello-fixtures';
import { startProfile, stopProfile } from '../support/profiler';
import { secondsSince } from '../support/timing';
import type { BenchContext, Measurement } from '../support/workload';
import { READ_MODEL_DDL } from './read-model';

/** Stops a catch-up that would not finish in the suite's budget; the rate stays honest. */
const TIME_CAP_MS = 8_000;

/**
 * A subscriber catching up over the log into a read-model table, written the
 * way a projection handler writes: one idempotent INSERT per event, keyed by
 * the event's global position. Rows per second from start to caught up.
 */
export async function celloCatchUp(
  context: BenchContext,
  total: number,
  handler: 'insert-per-event' | 'no-op' = 'insert-per-event',
): Promise<Measurement> {
  const pool = new Pool({ connectionString: context.databaseUrl, max: 4 });
  await pool.query(READ_MODEL_DDL);
  const insert = {
    name: 'placed-orders-insert',
    text: `INSERT INTO placed_orders (position, order_id, customer_id, units, total)
           VALUES ($1, $2, $3, $4, $5) ON CONFLICT (position) DO NOTHING`,
  };

  let delivered = 0;

  @EventSubscriber({ name: 'bench-placed-orders', batchSize: 500 })
  @Injectable()
  class PlacedOrdersProjection {
    @EventHandler(OrderPlaced)
    async onPlaced(event: OrderPlaced, envelope: SubscriptionEnvelope): Promise<void> {
      if (handler === 'no-op') {
        delivered += 1;
        return;
      }
      let units = 0;
      let amount = 0;
      for (const item of event.items) {
        units += item.quantity;
        amount += item.quantity * item.price;
      }
      await pool.query({
        ...insert,
        values: [envelope.position, event.orderId, event.customerId, units, amount],
      });
    }
  }

  const app = await bootApp([
    EventSourcingModule.forRoot({
      storage: context.databaseUrl,
      snapshotInterval: 0,
      subscriptions: { autoStart: false },
    }),
    EventSourcingModule.forFeature({ events: [OrderPlaced] }),
    { module: class BenchProjectionFeature {}, providers: [PlacedOrdersProjection] },
  ]);
  const store = app.get(EventStore);
  const manager = app.get(SubscriptionManager);

  // Prefill (not timed): streams of 1,000 events, appended 1,000 at a time, 4 appenders at once.
  const perStream = Math.min(1000, total);
  const streams = Array.from({ length: total / perStream }, () => randomUUID());
  let head = 0;
  for (let i = 0; i < streams.length; i += 4) {
    const results = await Promise.all(
      streams.slice(i, i + 4).map((id) =>
        store.append(
          id,
          Array.from({ length: perStream }, (_, v) => orderPlaced(id, v)),
          { expectedVersion: 0 },
        ),
      ),
    );
    for (const r of results) head = Math.max(head, ...r.positions);
  }
  await context.checkpoint();

  await startProfile();
  const start = process.hrtime.bigint();
  manager.start();
  let capped = false;
  try {
    await manager.waitForPosition(head, { timeoutMs: TIME_CAP_MS });
  } catch {
    capped = true;
  }
  const seconds = secondsSince(start);
  await stopProfile();
  const rows =
    handler === 'no-op'
      ? delivered
      : Number((await pool.query('SELECT count(*) AS n FROM placed_orders')).rows[0].n);
  await app.close();
  await pool.end();
  return {
    value: rows / seconds,
    detail: capped
      ? `capped at ${TIME_CAP_MS / 1000} s: ${rows.toLocaleString('en-US')} of ${total.toLocaleString('en-US')} events projected`
      : `${rows.toLocaleString('en-US')} events ${handler === 'no-op' ? 'delivered to a no-op handler' : 'projected, one INSERT per event'}`,
  };
}
