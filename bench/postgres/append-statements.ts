/**
 * Where the server's time goes when Cello appends to PostgreSQL: runs the three
 * append workloads' shapes (single-event appends to new streams, 16 concurrent
 * appenders, 100-event appends) against a private PostgreSQL server started with
 * `pg_stat_statements` (track = all, so the statements inside the append
 * function are listed too), next to the raw `INSERT`s of the ceilings, and
 * prints mean execution time per call and per event.
 *
 * Run: node -r ./scripts/register-ts.js bench/postgres/append-statements.ts [appends]
 * The private server (initdb/pg_ctl, fsync off: commit flushes are not what is
 * measured here) is removed afterwards; the shared server is not touched.
 */
import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { PostgresEventStorage } from '@cello/event-sourcing';
import { startPrivatePostgres } from '../../test/support/private-postgres';
import { insertOne, insertUnnest, RAW_EVENTS_DDL, RAW_METADATA } from '../support/raw-pg';
import { ORDER_PLACED, orderPlacedData } from '../support/order-placed';

interface StatementRow {
  query: string;
  calls: string;
  mean_ms: number;
  rows: string;
}

function anEvent(streamId: string, i: number) {
  return {
    eventId: randomUUID(),
    type: ORDER_PLACED,
    schemaVersion: 1,
    data: JSON.stringify(orderPlacedData(streamId, i)),
    metadata: RAW_METADATA,
  };
}

async function main(): Promise<void> {
  const appends = Number(process.argv[2] ?? 2000);
  const server = await startPrivatePostgres([
    'shared_preload_libraries=pg_stat_statements',
    'pg_stat_statements.track=all',
  ]);
  const admin = new Client({ connectionString: server.url });
  try {
    await admin.connect();
    await admin.query('CREATE EXTENSION pg_stat_statements');
    const storage = PostgresEventStorage.fromUrl(server.url, { poolSize: 4 });
    await storage.init();
    const raw = new Client({ connectionString: server.url });
    await raw.connect();
    await raw.query(RAW_EVENTS_DDL);
    const phases: [string, () => Promise<void>][] = [
      [
        `append-sequential: ${appends} single-event appends to new streams, and as many raw INSERTs`,
        async () => {
          for (let i = 0; i < appends; i++) {
            const streamId = randomUUID();
            await storage.append(streamId, [anEvent(streamId, i)], 'no_stream');
            await insertOne(raw, randomUUID(), 1, i);
          }
        },
      ],
      [
        `append-concurrent-16: ${appends} appends by 16 concurrent appenders (coalesced)`,
        async () => {
          const streams = Array.from({ length: 16 }, () => ({ id: randomUUID(), version: 0 }));
          for (let round = 0; round < appends / 16; round++) {
            await Promise.all(
              streams.map(async (stream) => {
                await storage.append(stream.id, [anEvent(stream.id, round)], stream.version);
                stream.version += 1;
              }),
            );
          }
        },
      ],
      [
        `append-batch-100: ${appends / 100} appends of 100 events, and as many raw 100-row unnest INSERTs`,
        async () => {
          const streamId = randomUUID();
          const rawStreamId = randomUUID();
          for (let round = 0; round < appends / 100; round++) {
            const events = Array.from({ length: 100 }, (_, k) =>
              anEvent(streamId, round * 100 + k),
            );
            await storage.append(streamId, events, round * 100);
            await insertUnnest(raw, rawStreamId, round * 100 + 1, 100);
          }
        },
      ],
    ];
    for (const [title, run] of phases) {
      await admin.query('SELECT pg_stat_statements_reset()');
      await run();
      const result = await admin.query<StatementRow>(
        `SELECT regexp_replace(query, '\\s+', ' ', 'g') AS query, calls, rows,
                total_exec_time / calls AS mean_ms
           FROM pg_stat_statements
          WHERE query !~* '(pg_stat_statements|^begin|^commit|^set |processors|^select 1$)'
          ORDER BY total_exec_time DESC LIMIT 8`,
      );
      console.log(`\n${title}\n  calls     rows  µs/call   µs/row  statement`);
      for (const row of result.rows) {
        const perCall = row.mean_ms * 1000;
        const perRow = (perCall * Number(row.calls)) / Math.max(1, Number(row.rows));
        console.log(
          `${row.calls.padStart(7)} ${row.rows.padStart(8)} ${perCall.toFixed(1).padStart(8)} ` +
            `${perRow.toFixed(1).padStart(8)}  ${row.query.slice(0, 110)}`,
        );
      }
    }
    await raw.end();
    await storage.close();
  } finally {
    await admin.end().catch(() => undefined);
    await server.destroy();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
