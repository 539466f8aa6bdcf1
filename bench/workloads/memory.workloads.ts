import { randomUUID } from 'node:crypto';
import { emmettOrderPlaced, orderBookEvolve } from '../support/emmett-fixtures';
import { celloFixtures } from '../support/lazy-require';
import { orderPlacedData, payloadBytes } from '../support/order-placed';
import { startProfile, stopProfile } from '../support/profiler';
import { secondsSince, settledHeapUsed } from '../support/timing';
import type { BenchContext, Measurement, WorkloadDefinition } from '../support/workload';

/** 1,000,000 events: 10,000 streams of 100 for appends, 1,000 streams of 1,000 for replay. */
function shape(context: BenchContext, workload: 'append' | 'replay') {
  const total = context.quick ? 100_000 : 1_000_000;
  const perStream = workload === 'append' ? 100 : 1000;
  return { total, perStream, streams: total / perStream };
}

/** Stops a run that would not finish in the suite's budget; the rate stays honest. */
const TIME_CAP_SECONDS = 20;

/** Payload bytes of the events stored (the same data for every subject). */
function bytesOf(total: number): number {
  return total * payloadBytes(orderPlacedData(randomUUID(), 0));
}

interface MemoryStore {
  /** Appends `count` events to `streamId`. */
  append(streamId: string, version: number, count: number): Promise<void>;
  /** Rebuilds the stream's aggregate; resolves to the number of events folded. */
  replay(streamId: string): Promise<number>;
  close(): Promise<void>;
}

async function celloMemory(): Promise<MemoryStore> {
  const { bootEventStore, orderPlaced, OrderBook } = celloFixtures();
  const { app, store } = await bootEventStore({ storage: 'memory', snapshotInterval: 0 });
  return {
    append: async (streamId, version, count) => {
      const events = Array.from({ length: count }, (_, i) => orderPlaced(streamId, version + i));
      await store.append(streamId, events);
    },
    replay: async (streamId) => (await store.load(OrderBook, streamId)).orders,
    close: () => app.close(),
  };
}

async function emmettMemory(): Promise<MemoryStore> {
  const { getInMemoryEventStore } = await import('@event-driven-io/emmett');
  const store = getInMemoryEventStore();
  return {
    append: async (streamId, version, count) => {
      const events = Array.from({ length: count }, (_, i) =>
        emmettOrderPlaced(streamId, version + i),
      );
      await store.appendToStream(streamId, events);
    },
    replay: async (streamId) => {
      const { state } = await store.aggregateStream(streamId, {
        evolve: orderBookEvolve,
        initialState: () => ({ orders: 0, units: 0 }),
      });
      return state.orders;
    },
    close: async () => undefined,
  };
}

/** One event per append, round robin over the streams; heap growth against payload bytes. */
async function memoryAppend(
  context: BenchContext,
  make: () => Promise<MemoryStore>,
): Promise<Measurement> {
  const { total, perStream, streams } = shape(context, 'append');
  const store = await make();
  const ids = Array.from({ length: streams }, () => randomUUID());
  await store.append(randomUUID(), 1, 1);
  const heapBefore = settledHeapUsed();
  await startProfile();
  const start = process.hrtime.bigint();
  let appended = 0;
  outer: for (let v = 1; v <= perStream; v++) {
    for (const id of ids) {
      await store.append(id, v, 1);
      appended++;
    }
    if (secondsSince(start) > TIME_CAP_SECONDS) break outer;
  }
  const seconds = secondsSince(start);
  await stopProfile();
  const heapGrowth = settledHeapUsed() - heapBefore;
  const ratio = heapGrowth / bytesOf(appended);
  await store.close();
  return {
    value: appended / seconds,
    extra: { heapGrowthRatio: ratio, heapGrowthMB: heapGrowth / 2 ** 20 },
    detail: `${appended.toLocaleString('en-US')} of ${total.toLocaleString('en-US')} single-event appends over ${streams.toLocaleString('en-US')} streams`,
  };
}

/** Rebuilds every stream of a prefilled store. */
async function memoryReplay(
  context: BenchContext,
  make: () => Promise<MemoryStore>,
): Promise<Measurement> {
  const { perStream, streams } = shape(context, 'replay');
  const store = await make();
  const ids = Array.from({ length: streams }, () => randomUUID());
  const heapBefore = settledHeapUsed();
  for (const id of ids) await store.append(id, 1, perStream);
  const heapGrowth = settledHeapUsed() - heapBefore;
  await startProfile();
  const start = process.hrtime.bigint();
  let replayed = 0;
  for (const id of ids) {
    const folded = await store.replay(id);
    if (folded !== perStream)
      throw new Error(`replay of ${id} folded ${folded} events, expected ${perStream}`);
    replayed += folded;
    if (secondsSince(start) > TIME_CAP_SECONDS) break;
  }
  const seconds = secondsSince(start);
  await stopProfile();
  await store.close();
  return {
    value: replayed / seconds,
    extra: { heapGrowthRatio: heapGrowth / bytesOf(streams * perStream) },
    detail: `${replayed.toLocaleString('en-US')} events replayed from ${streams.toLocaleString('en-US')} streams of ${perStream.toLocaleString('en-US')}`,
  };
}

/**
 * The floor of any store that keeps events as bytes (off the V8 heap): one
 * `JSON.parse` of each payload and the same fold, no store at all. Parses the
 * 1,000 payload texts of one stream once per stream, so its own heap stays
 * small.
 */
async function jsonParseFloor(context: BenchContext): Promise<Measurement> {
  const { perStream, streams } = shape(context, 'replay');
  const id = randomUUID();
  const texts = Array.from({ length: perStream }, (_, i) =>
    JSON.stringify(orderPlacedData(id, i + 1)),
  );
  const start = process.hrtime.bigint();
  let parsed = 0;
  for (let stream = 0; stream < streams; stream++) {
    let state = { orders: 0, units: 0 };
    for (const text of texts) {
      state = orderBookEvolve(state, { type: 'OrderPlaced', data: JSON.parse(text) });
    }
    if (state.orders !== perStream) throw new Error(`folded ${state.orders} payloads`);
    parsed += perStream;
    if (secondsSince(start) > TIME_CAP_SECONDS) break;
  }
  const seconds = secondsSince(start);
  return {
    value: parsed / seconds,
    detail: `${parsed.toLocaleString('en-US')} payloads parsed with JSON.parse and folded, no store`,
  };
}

export const memoryAppend1m: WorkloadDefinition = {
  name: 'memory-append-1m',
  unit: 'events/s',
  description:
    "1,000,000 single-event appends to the in-memory store (Cello's Rust store vs emmett's)",
  postgres: false,
  targetText: '≥ 3× emmett; V8 heap growth under 10% of the payload bytes stored',
  targets: [
    { kind: 'vs-peer', peer: 'emmett-memory', min: 3 },
    { kind: 'extra-max', extra: 'heapGrowthRatio', max: 0.1 },
  ],
  subjects: [
    { name: 'cello', role: 'cello', run: (c) => memoryAppend(c, celloMemory) },
    { name: 'emmett-memory', role: 'peer', run: (c) => memoryAppend(c, emmettMemory) },
  ],
};

export const memoryReplay1m: WorkloadDefinition = {
  name: 'memory-replay-1m',
  unit: 'events/s',
  description:
    'Rebuild of 1,000 aggregates of 1,000 events each (1,000,000 events) from the in-memory store',
  postgres: false,
  targetText:
    '≥ 0.9× its own json-parse-floor (issue 22); V8 heap growth under 10% of the payload bytes stored',
  targets: [
    { kind: 'vs-reference', subject: 'json-parse-floor', min: 0.9 },
    { kind: 'extra-max', extra: 'heapGrowthRatio', max: 0.1 },
  ],
  subjects: [
    { name: 'cello', role: 'cello', run: (c) => memoryReplay(c, celloMemory) },
    { name: 'emmett-memory', role: 'peer', run: (c) => memoryReplay(c, emmettMemory) },
    { name: 'json-parse-floor', role: 'reference', run: jsonParseFloor },
  ],
};
