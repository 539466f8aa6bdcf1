import 'reflect-metadata';
import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { Pool } from 'pg';
import {
  EventBatchHandler,
  EventSourcingModule,
  EventStore,
  EventSubscriber,
  SubscriptionManager,
  type EventBatch,
} from '@cello/event-sourcing';
import { bootApp } from '../support/boot-app';
import { OrderPlaced, orderPlaced } from '../support/cello-fixtures';
import { startProfile, stopProfile } from '../support/profiler';
import { secondsSince } from '../support/timing';
import type { BenchContext, Measurement } from '../support/workload';
import { READ_MODEL_DDL } from './read-model';

/** Stops a catch-up that would not finish in the suite's budget; the rate stays honest. */
const TIME_CAP_MS = 8_000;

/** Events per read page, and so at most per handler call. */
export const PROJECTION_BATCH_SIZE = 1000;

/**
 * A subscriber catching up over the log into a read-model table, written the
 * way a projection writes with `@EventBatchHandler`: one idempotent multi-row
 * `INSERT ... SELECT FROM unnest(...) ON CONFLICT (position) DO NOTHING` per
 * batch, keyed by the event's global position. Rows per second from start to
 * caught up. The 'no-op' handler receives the same batches and writes nothing
 * (the subscription's own ceiling: reading, decoding, checkpoints).
 */
export async function celloCatchUp(
  context: BenchContext,
  total: number,
  handler: 'insert-per-batch' | 'no-op' = 'insert-per-batch',
): Promise<Measurement> {
  const pool = new Pool({ connectionString: context.databaseUrl, max: 4 });
  await pool.query(READ_MODEL_DDL);
  const insert = {
    name: 'placed-orders-insert-batch',
    text: `INSERT INTO placed_orders (position, order_id, customer_id, units, total)
           SELECT * FROM unnest($1::bigint[], $2::text[], $3::text[], $4::int[], $5::numeric[])
           ON CONFLICT (position) DO NOTHING`,
  };

  let delivered = 0;
  let calls = 0;
  let handed = 0;

  @EventSubscriber({ name: 'bench-placed-orders', batchSize: PROJECTION_BATCH_SIZE })
  @Injectable()
  class PlacedOrdersProjection {
    @EventBatchHandler(OrderPlaced)
    async onPlaced(batch: EventBatch<OrderPlaced>): Promise<void> {
      calls += 1;
      handed += batch.length;
      if (handler === 'no-op') {
        delivered += batch.length;
        return;
      }
      const positions: number[] = [];
      const orderIds: string[] = [];
      const customerIds: string[] = [];
      const units: number[] = [];
      const totals: number[] = [];
      for (const { event, envelope } of batch) {
        let quantity = 0;
        let amount = 0;
        for (const item of event.items) {
          quantity += item.quantity;
          amount += item.quantity * item.price;
        }
        positions.push(envelope.position);
        orderIds.push(event.orderId);
        customerIds.push(event.customerId);
        units.push(quantity);
        totals.push(amount);
      }
      await pool.query({ ...insert, values: [positions, orderIds, customerIds, units, totals] });
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
  const perCall = (calls > 0 ? handed / calls : 0).toLocaleString('en-US', {
    maximumFractionDigits: 1,
  });
  return {
    value: rows / seconds,
    extra: { eventsPerCall: calls > 0 ? handed / calls : 0 },
    detail:
      (capped
        ? `capped at ${TIME_CAP_MS / 1000} s: ${rows.toLocaleString('en-US')} of ${total.toLocaleString('en-US')} events projected`
        : `${rows.toLocaleString('en-US')} events ${handler === 'no-op' ? 'delivered' : 'projected'}`) +
      (handler === 'no-op'
        ? ` to a no-op @EventBatchHandler, ${perCall} event(s) per call`
        : ` by an @EventBatchHandler (one multi-row INSERT per call), ${perCall} event(s) per call`) +
      ` (batchSize ${PROJECTION_BATCH_SIZE.toLocaleString('en-US')})`,
  };
}
