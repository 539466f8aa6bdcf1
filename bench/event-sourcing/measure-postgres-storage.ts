/**
 * Quick throughput figures of `PostgresEventStorage` next to raw pg on the
 * same machine (the rigorous, side-by-side suite lives in `bench/`). Run:
 *
 *   node -r ./scripts/register-ts.js \
 *     bench/event-sourcing/measure-postgres-storage.ts [runs]
 *
 * Each figure is the median of `runs` (default 3) measurements, each on a fresh database.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { Client } from 'pg';
import type { EventToAppend } from '@cello/event-sourcing/store/event-storage';
import { PostgresEventStorage } from '@cello/event-sourcing/store/postgres/postgres-event-storage';

const ADMIN_URL =
  process.env.CELLO_TEST_PG_ADMIN_URL ?? 'postgres://cello:cello@127.0.0.1:5432/postgres';
const METADATA = JSON.stringify({ correlationId: 'bench' });

function orderPlaced(i: number): string {
  return JSON.stringify({
    orderId: randomUUID(),
    customerId: `customer-${(i % 1000).toString().padStart(4, '0')}`,
    items: [
      { sku: 'SKU-1001', quantity: 1 + (i % 3), price: 1.25 },
      { sku: 'SKU-2002', quantity: 2, price: 3.5 },
      { sku: 'SKU-3003', quantity: 1, price: 7.99 },
    ],
  });
}

function anEvent(i: number): EventToAppend {
  return {
    eventId: randomUUID(),
    type: 'OrderPlaced',
    schemaVersion: 1,
    data: orderPlaced(i),
    metadata: METADATA,
  };
}

async function admin<T>(work: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: ADMIN_URL });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

async function withDatabase(work: (url: string) => Promise<number>): Promise<number> {
  const name = `cello_m_${randomBytes(4).toString('hex')}`;
  await admin((c) => c.query(`CREATE DATABASE "${name}"`));
  const url = new URL(ADMIN_URL);
  url.pathname = `/${name}`;
  try {
    await admin((c) => c.query('CHECKPOINT'));
    return await work(url.toString());
  } finally {
    await admin((c) => c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`));
  }
}

const RAW_DDL = `CREATE TABLE raw_events (
  position bigserial PRIMARY KEY, stream_id text NOT NULL, version integer NOT NULL,
  event_id uuid NOT NULL UNIQUE, type text NOT NULL, data jsonb NOT NULL, metadata jsonb NOT NULL,
  recorded_at timestamptz NOT NULL DEFAULT now(), UNIQUE (stream_id, version))`;
const RAW_INSERT = {
  name: 'raw-one',
  text: 'INSERT INTO raw_events (stream_id, version, event_id, type, data, metadata) VALUES ($1, $2, $3, $4, $5, $6)',
};
const RAW_UNNEST = {
  name: 'raw-unnest',
  text:
    'INSERT INTO raw_events (stream_id, version, event_id, type, data, metadata) ' +
    'SELECT * FROM unnest($1::text[], $2::int[], $3::uuid[], $4::text[], $5::jsonb[], $6::jsonb[])',
};

async function rawClients(url: string, count: number): Promise<Client[]> {
  const clients = await Promise.all(
    Array.from({ length: count }, async () => {
      const client = new Client({ connectionString: url });
      await client.connect();
      return client;
    }),
  );
  await clients[0].query(RAW_DDL);
  return clients;
}

function rawOne(client: Client, stream: string, version: number, i: number) {
  return client.query({
    ...RAW_INSERT,
    values: [stream, version, randomUUID(), 'OrderPlaced', orderPlaced(i), METADATA],
  });
}

/** Events per second of `work`, which stores `count` events. */
async function rate(count: number, work: () => Promise<void>): Promise<number> {
  const started = process.hrtime.bigint();
  await work();
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  return count / seconds;
}

async function storageOn(url: string, poolSize = 10): Promise<PostgresEventStorage> {
  const storage = PostgresEventStorage.fromUrl(url, { poolSize });
  await storage.init();
  return storage;
}

/** Runs `work` on an initialised storage over a fresh database (also given), closed afterwards. */
function withStorage(
  work: (storage: PostgresEventStorage, url: string) => Promise<number>,
): Promise<number> {
  return withDatabase(async (url) => {
    const storage = await storageOn(url);
    try {
      return await work(storage, url);
    } finally {
      await storage.close();
    }
  });
}

/** Appends `count` events to `stream` in batches of 1000 (the data the read workloads read). */
async function fillStream(
  storage: PostgresEventStorage,
  stream: string,
  count: number,
): Promise<void> {
  for (let b = 0; b < count / 1000; b++) {
    await storage.append(
      stream,
      Array.from({ length: 1000 }, (_, i) => anEvent(i)),
      b * 1000,
    );
  }
}

const SEQUENTIAL = 1500;
const CONCURRENT = 16;
const CONCURRENT_EACH = 250;
const BATCHES = 60;
const READ = 10_000;

const workloads: Record<string, () => Promise<number>> = {
  'raw single-row tx, sequential': () =>
    withDatabase(async (url) => {
      const [client] = await rawClients(url, 1);
      try {
        return await rate(SEQUENTIAL, async () => {
          for (let i = 0; i < SEQUENTIAL; i++) await rawOne(client, randomUUID(), 1, i);
        });
      } finally {
        await client.end();
      }
    }),
  'cello append, sequential (new stream each)': () =>
    withStorage(async (storage) => {
      return await rate(SEQUENTIAL, async () => {
        for (let i = 0; i < SEQUENTIAL; i++)
          await storage.append(randomUUID(), [anEvent(i)], 'no_stream');
      });
    }),
  'raw single-row tx, 16 connections': () =>
    withDatabase(async (url) => {
      const clients = await rawClients(url, CONCURRENT);
      try {
        return await rate(CONCURRENT * CONCURRENT_EACH, async () => {
          await Promise.all(
            clients.map(async (client) => {
              const stream = randomUUID();
              for (let v = 1; v <= CONCURRENT_EACH; v++) await rawOne(client, stream, v, v);
            }),
          );
        });
      } finally {
        await Promise.all(clients.map((c) => c.end()));
      }
    }),
  'cello append, 16 concurrent appenders (own streams)': () =>
    withStorage(async (storage) => {
      const result = await rate(CONCURRENT * CONCURRENT_EACH, async () => {
        await Promise.all(
          Array.from({ length: CONCURRENT }, async () => {
            const stream = randomUUID();
            for (let v = 0; v < CONCURRENT_EACH; v++) await storage.append(stream, [anEvent(v)], v);
          }),
        );
      });
      const stats = storage.appendStats;
      console.error(`    (${stats.appends} appends in ${stats.statements} statements)`);
      return result;
    }),
  'raw 100-row unnest statements, one stream': () =>
    withDatabase(async (url) => {
      const [client] = await rawClients(url, 1);
      const stream = randomUUID();
      try {
        return await rate(BATCHES * 100, async () => {
          for (let b = 0; b < BATCHES; b++) {
            const ids: string[] = [];
            const data: string[] = [];
            for (let i = 0; i < 100; i++) {
              ids.push(randomUUID());
              data.push(orderPlaced(i));
            }
            await client.query({
              ...RAW_UNNEST,
              values: [
                Array(100).fill(stream),
                Array.from({ length: 100 }, (_, i) => b * 100 + i + 1),
                ids,
                Array(100).fill('OrderPlaced'),
                data,
                Array(100).fill(METADATA),
              ],
            });
          }
        });
      } finally {
        await client.end();
      }
    }),
  'cello append, batches of 100, one stream': () =>
    withStorage(async (storage) => {
      const stream = randomUUID();
      return await rate(BATCHES * 100, async () => {
        for (let b = 0; b < BATCHES; b++) {
          const events = Array.from({ length: 100 }, (_, i) => anEvent(i));
          await storage.append(stream, events, b * 100);
        }
      });
    }),
  'raw SELECT of a 10k stream (read + parse)': () =>
    withStorage(async (storage, url) => {
      const stream = randomUUID();
      await fillStream(storage, stream, READ);
      const client = new Client({ connectionString: url });
      await client.connect();
      try {
        return await rate(READ, async () => {
          const rows = await client.query({
            name: 'raw-read',
            text: `SELECT position, version, event_id, type, data, metadata, recorded_at FROM public.cello_events WHERE stream_id = $1 ORDER BY version`,
            values: [stream],
          });
          if (rows.rows.length !== READ) throw new Error('short read');
        });
      } finally {
        await client.end();
      }
    }),
  'cello readStream of a 10k stream (pages of 1000)': () =>
    withStorage(async (storage) => {
      const stream = randomUUID();
      await fillStream(storage, stream, READ);
      return await rate(READ, async () => {
        let read = 0;
        for (let from = 1; ;) {
          const page = await storage.readStream(stream, { fromVersion: from, limit: 1000 });
          if (page.length === 0) break;
          read += page.length;
          from = page[page.length - 1].version + 1;
        }
        if (read !== READ) throw new Error('short read');
      });
    }),
};

/** Each cello workload beside its raw pg ceiling; runs alternate between the two. */
const PAIRS: [string, string][] = [
  ['raw single-row tx, sequential', 'cello append, sequential (new stream each)'],
  ['raw single-row tx, 16 connections', 'cello append, 16 concurrent appenders (own streams)'],
  ['raw 100-row unnest statements, one stream', 'cello append, batches of 100, one stream'],
  ['raw SELECT of a 10k stream (read + parse)', 'cello readStream of a 10k stream (pages of 1000)'],
];

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

async function main(): Promise<void> {
  const runs = Number(process.argv[2] ?? 3);
  const only = process.argv.slice(3);
  for (const [raw, cello] of PAIRS) {
    if (only.length > 0 && !only.some((o) => cello.includes(o) || raw.includes(o))) continue;
    const values: Record<string, number[]> = { [raw]: [], [cello]: [] };
    for (let run = 0; run < runs; run++) {
      const order = run % 2 === 0 ? [raw, cello] : [cello, raw];
      for (const name of order) values[name].push(await workloads[name]());
    }
    for (const name of [raw, cello]) {
      const sorted = [...values[name]].sort((a, b) => a - b);
      console.log(
        `${name.padEnd(52)} ${Math.round(median(sorted)).toString().padStart(7)} events/s  ` +
          `(min ${Math.round(sorted[0])}, max ${Math.round(sorted[sorted.length - 1])})`,
      );
    }
    const ratios = values[cello].map((value, run) => value / values[raw][run]);
    console.log(
      `${'  ratio cello / raw (median of per-run ratios)'.padEnd(52)} ${median(ratios).toFixed(2)}x`,
    );
  }
}

void main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
