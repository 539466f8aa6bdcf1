import { randomUUID } from 'node:crypto';
import { emmettOrderPlaced, emmettPostgres, orderBookEvolve } from '../support/emmett-fixtures';
import { celloFixtures } from '../support/lazy-require';
import type { OrderPlacedData } from '../support/order-placed';
import { copyLines, copyRawEvents, rawClient } from '../support/raw-pg';
import { unitsPerSecond } from '../support/timing';
import type { BenchContext, Measurement, WorkloadDefinition } from '../support/workload';

const STREAM_LENGTH = 10_000;
const PREFILL_BATCH = 1000;
/** Events after the last snapshot (snapshots every 100 events: 50 is the average tail). */
const SNAPSHOT_TAIL = 50;

function timing(context: BenchContext) {
  return context.quick ? { warmupMs: 200, durationMs: 800 } : { warmupMs: 500, durationMs: 2000 };
}

function loads(result: { rate: number; units: number }, events: number, what: string): Measurement {
  const count = Math.round(result.units / events);
  return {
    value: result.rate,
    extra: { msPerLoad: (1000 * events) / result.rate },
    detail: `${count} ${what} of a ${events.toLocaleString('en-US')}-event stream`,
  };
}

async function celloLoad(context: BenchContext, snapshots: boolean): Promise<Measurement> {
  const { bootEventStore, orderPlaced, OrderBook } = celloFixtures();
  const { app, store } = await bootEventStore({
    storage: context.databaseUrl,
    snapshotInterval: snapshots ? 100 : 0,
  });
  const id = randomUUID();
  for (let v = 0; v < STREAM_LENGTH; v += PREFILL_BATCH) {
    const events = Array.from({ length: PREFILL_BATCH }, (_, i) => orderPlaced(id, v + i));
    await store.append(id, events, { expectedVersion: v });
  }
  let length = STREAM_LENGTH;
  if (snapshots) {
    await store.createSnapshot(OrderBook, id);
    const tail = Array.from({ length: SNAPSHOT_TAIL }, (_, i) => orderPlaced(id, length + i));
    await store.append(id, tail, { expectedVersion: length });
    length += SNAPSHOT_TAIL;
  }
  await context.checkpoint();
  const result = await unitsPerSecond(async () => {
    const book = await store.load(OrderBook, id);
    if (book.orders !== (snapshots ? length : STREAM_LENGTH) || book.version !== length) {
      throw new Error(
        `load rebuilt ${book.orders} orders at version ${book.version}, expected ${length}`,
      );
    }
    return length;
  }, timing(context));
  await app.close();
  return loads(result, length, snapshots ? 'loads (snapshot + 50-event tail)' : 'rebuilds');
}

async function emmettLoad(context: BenchContext): Promise<Measurement> {
  const store = await emmettPostgres(context.databaseUrl);
  const id = randomUUID();
  for (let v = 0; v < STREAM_LENGTH; v += PREFILL_BATCH) {
    const events = Array.from({ length: PREFILL_BATCH }, (_, i) => emmettOrderPlaced(id, v + i));
    await store.appendToStream(id, events, { expectedStreamVersion: BigInt(v) });
  }
  await context.checkpoint();
  const result = await unitsPerSecond(async () => {
    const { state } = await store.aggregateStream(id, {
      evolve: orderBookEvolve,
      initialState: () => ({ orders: 0, units: 0 }),
    });
    if (state.orders !== STREAM_LENGTH) throw new Error(`emmett rebuilt ${state.orders} orders`);
    return STREAM_LENGTH;
  }, timing(context));
  await store.close();
  return loads(result, STREAM_LENGTH, 'aggregateStream rebuilds');
}

/** The ceiling: one SELECT of the stream's rows, jsonb parsed by pg, folded like the others. */
async function rawReadParse(context: BenchContext): Promise<Measurement> {
  const client = await rawClient(context.databaseUrl);
  const lines = copyLines(STREAM_LENGTH, 1);
  const id = lines[0].split('\t')[0];
  await copyRawEvents(client, lines);
  await client.query('ANALYZE raw_events');
  await context.checkpoint();
  const query = {
    name: 'raw-read-stream',
    text: 'SELECT version, type, data, metadata FROM raw_events WHERE stream_id = $1 ORDER BY version',
  };
  const result = await unitsPerSecond(async () => {
    const { rows } = await client.query<{ version: number; data: OrderPlacedData }>({
      ...query,
      values: [id],
    });
    let state = { orders: 0, units: 0 };
    for (const row of rows) state = orderBookEvolve(state, { type: 'OrderPlaced', data: row.data });
    if (state.orders !== STREAM_LENGTH) throw new Error(`raw read folded ${state.orders} rows`);
    return STREAM_LENGTH;
  }, timing(context));
  await client.end();
  return loads(result, STREAM_LENGTH, 'SELECT + parse passes');
}

export const load10k: WorkloadDefinition = {
  name: 'load-10k',
  unit: 'events/s',
  description: 'Rebuild an aggregate from a 10,000-event stream, no snapshot (PostgreSQL)',
  postgres: true,
  targetText: '≥ 2× emmett; ≥ 0.9× raw read + parse',
  targets: [
    { kind: 'vs-peer', peer: 'emmett-postgresql', min: 2 },
    { kind: 'vs-ceiling', min: 0.9 },
  ],
  subjects: [
    { name: 'cello', role: 'cello', run: (c) => celloLoad(c, false) },
    { name: 'emmett-postgresql', role: 'peer', run: emmettLoad },
    { name: 'pg-select-parse', role: 'ceiling', run: rawReadParse },
  ],
};

export const load10kSnapshot: WorkloadDefinition = {
  name: 'load-10k-snapshot',
  unit: 'events/s',
  description:
    'Load of the same aggregate with a snapshot every 100 events (newest snapshot + 50-event tail), in stream events per second (PostgreSQL)',
  postgres: true,
  targetText: "≥ 20× emmett's rebuild",
  targets: [{ kind: 'vs-peer', peer: 'emmett-postgresql', min: 20 }],
  subjects: [
    { name: 'cello', role: 'cello', run: (c) => celloLoad(c, true) },
    { name: 'emmett-postgresql', role: 'peer', run: emmettLoad },
  ],
};
