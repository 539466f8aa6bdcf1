import { randomUUID } from 'node:crypto';
import { Pool } from 'pg';
import { emmettOrderPlaced, emmettPostgres } from '../support/emmett-fixtures';
import { celloFixtures, lazyRequire } from '../support/lazy-require';
import { insertOne, insertUnnest, RAW_EVENTS_DDL, rawClient } from '../support/raw-pg';
import { LatencyRecorder } from '../support/latency-recorder';
import { concurrentUnitsPerSecond, unitsPerSecond } from '../support/timing';
import type { BenchContext, Measurement, Subject, WorkloadDefinition } from '../support/workload';

type EventSourcing = typeof import('@cello/event-sourcing');

function timing(context: BenchContext) {
  return context.quick ? { warmupMs: 200, durationMs: 700 } : { warmupMs: 500, durationMs: 2500 };
}

function measured(
  result: { rate: number; units: number },
  what: string,
  appender?: Appender,
  latency?: LatencyRecorder,
): Measurement {
  return {
    value: result.rate,
    extra: { ...(appender?.stats?.() ?? {}), ...(latency?.summary() ?? {}) },
    detail: `${result.units.toLocaleString('en-US')} ${what}`,
  };
}

/**
 * One way of appending, for the three append workloads:
 * `append(worker, streamId, fromVersion, count)` stores `count` events.
 */
interface Appender {
  append(streamId: string, version: number, count: number): Promise<void>;
  /** Secondary figures the store can tell (Cello: appends per statement sent). */
  stats?(): Record<string, number>;
  close(): Promise<void>;
}

async function celloAppender(context: BenchContext): Promise<Appender> {
  const { bootEventStore, orderPlaced } = celloFixtures();
  const { app, store } = await bootEventStore({
    storage: context.databaseUrl,
    snapshotInterval: 0,
  });
  const { EVENT_STORAGE } = lazyRequire<EventSourcing>('@cello/event-sourcing');
  const storage = app.get<{ appendStats?: { appends: number; statements: number } }>(EVENT_STORAGE);
  const before = storage.appendStats ?? { appends: 0, statements: 0 };
  return {
    append: async (streamId, version, count) => {
      const events = Array.from({ length: count }, (_, i) => orderPlaced(streamId, version + i));
      await store.append(streamId, events, { expectedVersion: version - 1 });
    },
    stats: (): Record<string, number> => {
      const after = storage.appendStats;
      const statements = after ? after.statements - before.statements : 0;
      return after && statements
        ? { appendsPerStatement: (after.appends - before.appends) / statements }
        : {};
    },
    close: () => app.close(),
  };
}

async function emmettAppender(context: BenchContext): Promise<Appender> {
  const store = await emmettPostgres(context.databaseUrl);
  return {
    append: async (streamId, version, count) => {
      const events = Array.from({ length: count }, (_, i) =>
        emmettOrderPlaced(streamId, version + i),
      );
      await store.appendToStream(streamId, events, { expectedStreamVersion: BigInt(version - 1) });
    },
    close: () => store.close(),
  };
}

/** Sequential appends of one event, each to a new stream. */
async function sequential(context: BenchContext, make: (c: BenchContext) => Promise<Appender>) {
  const appender = await make(context);
  await context.checkpoint();
  const result = await unitsPerSecond(async () => {
    await appender.append(randomUUID(), 1, 1);
    return 1;
  }, timing(context));
  await appender.close();
  return measured(result, 'appends of one event to new streams', appender);
}

/** 16 concurrent appenders, each appending one event at a time to its own stream. */
async function concurrent16(context: BenchContext, make: (c: BenchContext) => Promise<Appender>) {
  const appender = await make(context);
  await context.checkpoint();
  const streams = Array.from({ length: 16 }, () => ({ id: randomUUID(), version: 0 }));
  const latency = new LatencyRecorder();
  const result = await concurrentUnitsPerSecond(
    16,
    async (worker) => {
      const stream = streams[worker];
      await appender.append(stream.id, stream.version + 1, 1);
      stream.version += 1;
      return 1;
    },
    { ...timing(context), latency },
  );
  await appender.close();
  return measured(result, 'events by 16 concurrent appenders, one stream each', appender, latency);
}

/** Sequential batches of `size` events into one stream. */
async function batches(
  context: BenchContext,
  make: (c: BenchContext) => Promise<Appender>,
  size: number,
) {
  const appender = await make(context);
  await context.checkpoint();
  const streamId = randomUUID();
  let version = 0;
  const result = await unitsPerSecond(async () => {
    await appender.append(streamId, version + 1, size);
    version += size;
    return size;
  }, timing(context));
  await appender.close();
  return measured(result, `events in batches of ${size} into one stream`, appender);
}

async function rawSingleRow(context: BenchContext): Promise<Measurement> {
  const client = await rawClient(context.databaseUrl);
  await context.checkpoint();
  const result = await unitsPerSecond(async () => {
    await insertOne(client, randomUUID(), 1, 0);
    return 1;
  }, timing(context));
  await client.end();
  return measured(result, 'single-row INSERT transactions');
}

async function rawSingleRow16(context: BenchContext): Promise<Measurement> {
  const pool = new Pool({ connectionString: context.databaseUrl, max: 16 });
  await pool.query(RAW_EVENTS_DDL);
  await Promise.all(Array.from({ length: 16 }, () => pool.query('SELECT 1')));
  await context.checkpoint();
  const streams = Array.from({ length: 16 }, () => ({ id: randomUUID(), version: 0 }));
  const latency = new LatencyRecorder();
  const result = await concurrentUnitsPerSecond(
    16,
    async (worker) => {
      const stream = streams[worker];
      stream.version += 1;
      await insertOne(pool, stream.id, stream.version, stream.version);
      return 1;
    },
    { ...timing(context), latency },
  );
  await pool.end();
  return measured(result, 'single-row INSERT transactions over 16 connections', undefined, latency);
}

async function rawUnnest(context: BenchContext, size: number): Promise<Measurement> {
  const client = await rawClient(context.databaseUrl);
  await context.checkpoint();
  const streamId = randomUUID();
  let version = 0;
  const result = await unitsPerSecond(async () => {
    await insertUnnest(client, streamId, version + 1, size);
    version += size;
    return size;
  }, timing(context));
  await client.end();
  return measured(result, `rows in INSERT ... SELECT FROM unnest statements of ${size}`);
}

const celloSubject = (
  run: (c: BenchContext, a: typeof celloAppender) => Promise<Measurement>,
): Subject => ({
  name: 'cello',
  role: 'cello',
  run: (c) => run(c, celloAppender),
});
const emmettSubject = (
  run: (c: BenchContext, a: typeof emmettAppender) => Promise<Measurement>,
): Subject => ({
  name: 'emmett-postgresql',
  role: 'peer',
  run: (c) => run(c, emmettAppender),
});

export const appendSequential: WorkloadDefinition = {
  name: 'append-sequential',
  unit: 'events/s',
  description: 'EventStore.append of one event to a new stream, one after another (PostgreSQL)',
  postgres: true,
  targetText: '≥ 0.8× raw single-row transactions; ≥ 2× emmett (issue 22)',
  targets: [
    { kind: 'vs-ceiling', min: 0.8 },
    { kind: 'vs-peer', peer: 'emmett-postgresql', min: 2 },
  ],
  subjects: [
    celloSubject(sequential),
    emmettSubject(sequential),
    { name: 'pg-single-row', role: 'ceiling', run: rawSingleRow },
  ],
};

export const appendConcurrent16: WorkloadDefinition = {
  name: 'append-concurrent-16',
  unit: 'events/s',
  description:
    '16 concurrent appenders, one event per append, each on its own stream (PostgreSQL); p50/p99 of each append',
  postgres: true,
  targetText: '≥ 8× emmett (issue 22); the raw 16-connection ceiling is shown, not a target',
  targets: [{ kind: 'vs-peer', peer: 'emmett-postgresql', min: 8 }],
  subjects: [
    celloSubject(concurrent16),
    emmettSubject(concurrent16),
    { name: 'pg-single-row-16', role: 'ceiling', run: rawSingleRow16 },
  ],
};

export const appendBatch100: WorkloadDefinition = {
  name: 'append-batch-100',
  unit: 'events/s',
  description: 'Appends of 100 events at a time into one stream (PostgreSQL)',
  postgres: true,
  targetText: '≥ 0.9× raw 100-row statements (issue 22)',
  targets: [{ kind: 'vs-ceiling', min: 0.9 }],
  subjects: [
    celloSubject((c, a) => batches(c, a, 100)),
    emmettSubject((c, a) => batches(c, a, 100)),
    { name: 'pg-unnest-100', role: 'ceiling', run: (c) => rawUnnest(c, 100) },
    { name: 'pg-unnest-1000', role: 'reference', run: (c) => rawUnnest(c, 1000) },
  ],
};
