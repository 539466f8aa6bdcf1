import { randomUUID } from 'node:crypto';
import { Pool } from 'pg';
import type { Event } from '@event-driven-io/emmett';
import {
  emmettOrderPlaced,
  emmettPostgres,
  type EmmettOrderPlaced,
} from '../support/emmett-fixtures';
import { startProfile, stopProfile } from '../support/profiler';
import { secondsSince } from '../support/timing';
import type { BenchContext, Measurement } from '../support/workload';
import { READ_MODEL_DDL } from './read-model';

/** Stops a catch-up that would not finish in the suite's budget, as for Cello's subscriber. */
const TIME_CAP_MS = 8_000;

/** Events pulled per batch, as Cello's subscriber reads them. */
const BATCH_SIZE = 1000;

/**
 * emmett-postgresql's way: a consumer with a projector whose batch raw-SQL
 * projection (`postgreSQLRawBatchSQLProjection`) returns one multi-row
 * `INSERT ... SELECT FROM unnest(...)` for the events it is given, the same
 * statement as Cello's batch handler (emmett formats the values into the SQL
 * text: its raw SQL projections take no bind parameters). emmett 0.42's
 * projector calls the projection once per event (its processor loops over a
 * pulled batch and stores the checkpoint after each event) inside one
 * transaction per pulled batch, so the statement carries one row: the
 * `eventsPerCall` figure shows it. Timed until the read model holds every event
 * (polled every 20 ms, as Cello's subscriber is timed until its checkpoint reaches the head).
 */
export async function emmettCatchUp(context: BenchContext, total: number): Promise<Measurement> {
  const { postgreSQLEventStoreConsumer, postgreSQLRawBatchSQLProjection } =
    await import('@event-driven-io/emmett-postgresql');
  const { sql } = await import('@event-driven-io/dumbo');
  const store = await emmettPostgres(context.databaseUrl);
  const pool = new Pool({ connectionString: context.databaseUrl, max: 2 });
  await pool.query(READ_MODEL_DDL);

  const perStream = Math.min(1000, total);
  const streams = Array.from({ length: total / perStream }, () => randomUUID());
  for (let i = 0; i < streams.length; i += 4) {
    await Promise.all(
      streams.slice(i, i + 4).map((id) =>
        store.appendToStream(
          id,
          Array.from({ length: perStream }, (_, v) => emmettOrderPlaced(id, v)),
        ),
      ),
    );
  }
  await context.checkpoint();

  let calls = 0;
  let handed = 0;
  const consumer = postgreSQLEventStoreConsumer<Event>({
    connectionString: context.databaseUrl,
    pulling: { batchSize: BATCH_SIZE },
  });
  consumer.projector<EmmettOrderPlaced>({
    processorId: 'bench-placed-orders',
    projection: postgreSQLRawBatchSQLProjection<EmmettOrderPlaced>({
      name: 'bench-placed-orders',
      canHandle: ['OrderPlaced'],
      evolve: (events) => {
        calls += 1;
        handed += events.length;
        const positions: string[] = [];
        const orderIds: string[] = [];
        const customerIds: string[] = [];
        const units: number[] = [];
        const totals: number[] = [];
        for (const event of events) {
          const { data, metadata } = event as unknown as {
            data: EmmettOrderPlaced['data'];
            metadata: { globalPosition: bigint };
          };
          let quantity = 0;
          let amount = 0;
          for (const item of data.items) {
            quantity += item.quantity;
            amount += item.quantity * item.price;
          }
          positions.push(String(metadata.globalPosition));
          orderIds.push(data.orderId);
          customerIds.push(data.customerId);
          units.push(quantity);
          totals.push(amount);
        }
        if (positions.length === 0) return [];
        return [
          sql(
            'INSERT INTO placed_orders (position, order_id, customer_id, units, total) ' +
              'SELECT * FROM unnest(ARRAY[%L]::bigint[], ARRAY[%L]::text[], ARRAY[%L]::text[], ' +
              'ARRAY[%L]::int[], ARRAY[%L]::numeric[]) ON CONFLICT (position) DO NOTHING',
            positions,
            orderIds,
            customerIds,
            units,
            totals,
          ),
        ];
      },
    }),
  });

  const count = async (): Promise<number> =>
    Number((await pool.query('SELECT count(*) AS n FROM placed_orders')).rows[0].n);
  await startProfile();
  const start = process.hrtime.bigint();
  const running = consumer.start();
  let rows = 0;
  while (rows < total && secondsSince(start) * 1000 < TIME_CAP_MS) {
    await new Promise((resolve) => setTimeout(resolve, 20));
    rows = await count();
  }
  const seconds = secondsSince(start);
  await stopProfile();
  const capped = rows < total;
  await consumer.stop();
  await running.catch(() => undefined);
  await consumer.close();
  await store.close();
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
        : `${rows.toLocaleString('en-US')} events projected`) +
      ` by postgreSQLRawBatchSQLProjection (one multi-row INSERT per call), ${perCall} event(s) per call, ` +
      `one transaction per pulled batch of ${BATCH_SIZE.toLocaleString('en-US')}`,
  };
}
