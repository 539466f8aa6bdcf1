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

/**
 * emmett-postgresql's way: a consumer with a projector whose raw-SQL projection
 * returns one INSERT per event; emmett runs a pulled batch's SQL in one
 * transaction together with its checkpoint. Timed until the read model holds every event
 * (polled every 20 ms, as Cello's subscriber is timed until its checkpoint reaches the head).
 */
export async function emmettCatchUp(context: BenchContext, total: number): Promise<Measurement> {
  const { postgreSQLEventStoreConsumer, postgreSQLRawSQLProjection } =
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

  const consumer = postgreSQLEventStoreConsumer<Event>({
    connectionString: context.databaseUrl,
    pulling: { batchSize: 500 },
  });
  consumer.projector<EmmettOrderPlaced>({
    processorId: 'bench-placed-orders',
    projection: postgreSQLRawSQLProjection<EmmettOrderPlaced>({
      name: 'bench-placed-orders',
      canHandle: ['OrderPlaced'],
      evolve: (event) => {
        const { data, metadata } = event as unknown as {
          data: EmmettOrderPlaced['data'];
          metadata: { globalPosition: bigint };
        };
        let units = 0;
        let amount = 0;
        for (const item of data.items) {
          units += item.quantity;
          amount += item.quantity * item.price;
        }
        return sql(
          'INSERT INTO placed_orders (position, order_id, customer_id, units, total) VALUES (%L, %L, %L, %L, %L) ON CONFLICT (position) DO NOTHING',
          String(metadata.globalPosition),
          data.orderId,
          data.customerId,
          units,
          amount,
        );
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
  return {
    value: rows / seconds,
    detail: capped
      ? `capped at ${TIME_CAP_MS / 1000} s: ${rows.toLocaleString('en-US')} of ${total.toLocaleString('en-US')} events projected`
      : `${rows.toLocaleString('en-US')} events projected, one INSERT per event, a transaction per batch of 500`,
  };
}
