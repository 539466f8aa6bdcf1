/**
 * Quick throughput figures of `MysqlEventStorage` next to raw mysql2 on the
 * same machine (the rigorous, side-by-side suite lives in `bench/`). Run:
 *
 *   node -r ./scripts/register-ts.js \
 *     bench/event-sourcing/measure-mysql-storage.ts [runs]
 *
 * Each figure is the median of `runs` (default 3) measurements, each on a fresh database.
 * The server comes from CELLO_TEST_MYSQL_ADMIN_URL, MYSQL_URL or the local default.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { createConnection, type Connection } from 'mysql2/promise';
import type { EventToAppend } from '@cello/event-sourcing/store/event-storage';
import { MysqlEventStorage } from '@cello/event-sourcing/store/mysql/mysql-event-storage';

const ADMIN_URL =
  process.env.CELLO_TEST_MYSQL_ADMIN_URL ??
  process.env.MYSQL_URL ??
  'mysql://cello:cello@127.0.0.1:3306/mysql';
const METADATA = JSON.stringify({ correlationId: 'bench' });

function orderPlaced(i: number): string {
  return JSON.stringify({
    orderId: randomUUID(),
    customerId: `customer-${(i % 1000).toString().padStart(4, '0')}`,
    items: [
      { sku: 'SKU-1001', quantity: 1 + (i % 3), price: 1.25 },
      { sku: 'SKU-2002', quantity: 2, price: 3.5 },
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

function connect(url: string): Promise<Connection> {
  return createConnection({ uri: url, charset: 'utf8mb4_unicode_ci' });
}

async function withDatabase(work: (url: string) => Promise<number>): Promise<number> {
  const name = `cello_m_${randomBytes(4).toString('hex')}`;
  const admin = await connect(ADMIN_URL);
  await admin.query(`CREATE DATABASE \`${name}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_bin`);
  const url = new URL(ADMIN_URL);
  url.pathname = `/${name}`;
  try {
    return await work(url.toString());
  } finally {
    await admin.query(`DROP DATABASE IF EXISTS \`${name}\``);
    await admin.end();
  }
}

const RAW_DDL = `CREATE TABLE raw_events (
  position BIGINT AUTO_INCREMENT PRIMARY KEY, stream_id VARBINARY(1024) NOT NULL, version BIGINT NOT NULL,
  event_id CHAR(36) NOT NULL UNIQUE, type VARCHAR(255) NOT NULL, data JSON NOT NULL, metadata JSON NOT NULL,
  UNIQUE (stream_id, version)) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4`;

async function rawConnections(url: string, count: number): Promise<Connection[]> {
  const connections = await Promise.all(Array.from({ length: count }, () => connect(url)));
  await connections[0].query(RAW_DDL);
  return connections;
}

function rawOne(connection: Connection, stream: string, version: number, i: number) {
  return connection.query(
    'INSERT INTO raw_events (stream_id, version, event_id, type, data, metadata) VALUES (?, ?, ?, ?, ?, ?)',
    [stream, version, randomUUID(), 'OrderPlaced', orderPlaced(i), METADATA],
  );
}

/** Events per second of `work`, which stores `count` events. */
async function rate(count: number, work: () => Promise<void>): Promise<number> {
  const started = process.hrtime.bigint();
  await work();
  return count / (Number(process.hrtime.bigint() - started) / 1e9);
}

async function storageOn(url: string): Promise<MysqlEventStorage> {
  const storage = MysqlEventStorage.fromUrl(url, { poolSize: 10 });
  await storage.init();
  return storage;
}

/** Runs `work` on an initialised storage over a fresh database, closed afterwards. */
function withStorage(work: (storage: MysqlEventStorage) => Promise<number>): Promise<number> {
  return withDatabase(async (url) => {
    const storage = await storageOn(url);
    try {
      return await work(storage);
    } finally {
      await storage.close();
    }
  });
}

const SEQUENTIAL = 1000;
const CONCURRENT = 16;
const CONCURRENT_EACH = 150;
const BATCHES = 40;
const READ = 10_000;

const workloads: Record<string, () => Promise<number>> = {
  'raw single-row autocommit INSERT, sequential': () =>
    withDatabase(async (url) => {
      const [connection] = await rawConnections(url, 1);
      try {
        return await rate(SEQUENTIAL, async () => {
          for (let i = 0; i < SEQUENTIAL; i++) await rawOne(connection, randomUUID(), 1, i);
        });
      } finally {
        await connection.end();
      }
    }),
  'cello append, sequential (new stream each)': () =>
    withStorage(async (storage) => {
      return await rate(SEQUENTIAL, async () => {
        for (let i = 0; i < SEQUENTIAL; i++) {
          await storage.append(randomUUID(), [anEvent(i)], 'no_stream');
        }
      });
    }),
  'raw single-row autocommit INSERT, 16 connections': () =>
    withDatabase(async (url) => {
      const connections = await rawConnections(url, CONCURRENT);
      try {
        return await rate(CONCURRENT * CONCURRENT_EACH, async () => {
          await Promise.all(
            connections.map(async (connection) => {
              const stream = randomUUID();
              for (let v = 1; v <= CONCURRENT_EACH; v++) await rawOne(connection, stream, v, v);
            }),
          );
        });
      } finally {
        await Promise.all(connections.map((c) => c.end()));
      }
    }),
  'cello append, 16 concurrent appenders (own streams)': () =>
    withStorage(async (storage) => {
      const result = await rate(CONCURRENT * CONCURRENT_EACH, async () => {
        await Promise.all(
          Array.from({ length: CONCURRENT }, async () => {
            const stream = randomUUID();
            for (let v = 0; v < CONCURRENT_EACH; v++) {
              await storage.append(stream, [anEvent(v)], v);
            }
          }),
        );
      });
      const stats = storage.appendStats;
      console.error(`    (${stats.appends} appends in ${stats.statements} transactions)`);
      return result;
    }),
  'cello append of 100 events, one stream': () =>
    withStorage(async (storage) => {
      const stream = randomUUID();
      return await rate(BATCHES * 100, async () => {
        for (let b = 0; b < BATCHES; b++) {
          const events = Array.from({ length: 100 }, (_, i) => anEvent(i));
          await storage.append(stream, events, b * 100);
        }
      });
    }),
  'cello readAll, pages of 1000': () =>
    withStorage(async (storage) => {
      for (let b = 0; b < READ / 500; b++) {
        await storage.append(
          randomUUID(),
          Array.from({ length: 500 }, (_, i) => anEvent(i)),
          'no_stream',
        );
      }
      return await rate(READ, async () => {
        let from = 0;
        for (;;) {
          const page = await storage.readAll({ fromPosition: from, limit: 1000 });
          if (page.length === 0) break;
          from = page[page.length - 1].position + 1;
        }
      });
    }),
};

async function main(): Promise<void> {
  const runs = Number(process.argv[2] ?? 3);
  for (const [name, workload] of Object.entries(workloads)) {
    const figures: number[] = [];
    for (let run = 0; run < runs; run++) figures.push(await workload());
    figures.sort((a, b) => a - b);
    const median = figures[Math.floor(figures.length / 2)];
    console.log(`${name.padEnd(52)} ${Math.round(median).toLocaleString('en-US')} events/s`);
  }
}

void main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
