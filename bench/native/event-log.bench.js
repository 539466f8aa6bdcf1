#!/usr/bin/env node
// Native versus TypeScript on the event-sourcing hot paths owned by the Rust
// core: the in-memory event log (append, replay, V8 heap) and snapshot
// compression. Each measurement runs in its own process (with --expose-gc),
// subjects alternate, 3 runs each; the table shows medians (min-max).
//
//   node bench/native/event-log.bench.js            all workloads
//   node bench/native/event-log.bench.js replay-1m  one workload
//   node bench/native/event-log.bench.js --runs 5
'use strict';

const { fork } = require('node:child_process');
const zlib = require('node:zlib');

const EVENTS = 1_000_000;
const STREAMS = 100;

/** The ~200-byte OrderPlaced of the benchmark issue. */
function orderPlaced(i) {
  return {
    orderId: `order-${i}`,
    customerId: `customer-${i % 1000}`,
    items: [
      { sku: 'SKU-1001', quantity: 1, price: 19.99 },
      { sku: 'SKU-2002', quantity: 2, price: 5.5 },
      { sku: 'SKU-3003', quantity: 1, price: 120 },
    ],
  };
}

function eventId(i) {
  return `00000000-0000-4000-8000-${i.toString(16).padStart(12, '0')}`;
}

/** What the facade hands a backend: the payload already serialized. */
function toAppend(i) {
  return {
    eventId: eventId(i),
    type: 'OrderPlaced',
    schemaVersion: 1,
    data: JSON.stringify(orderPlaced(i)),
    metadata: '{}',
  };
}

function gc() {
  global.gc();
  global.gc();
}

function heapUsed() {
  gc();
  return process.memoryUsage().heapUsed;
}

// ---- subjects: the three stores behind one small interface ----------------

function nativeStore() {
  require('../../scripts/register-ts');
  const {
    MemoryEventStorage,
  } = require('../../libs/event-sourcing/src/store/memory/memory-event-storage.ts');
  const storage = new MemoryEventStorage();
  return {
    append: (stream, first, count) => storage.append(stream, batch(first, count), 'any'),
    readAll: async (visit) => {
      for (let from = 1; ;) {
        const page = await storage.readAll({ fromPosition: from, limit: 1000 });
        if (page.length === 0) return;
        for (const e of page) visit(e.data);
        from = page[page.length - 1].position + 1;
      }
    },
  };
}

function jsStore() {
  const { JsMemoryStore } = require('./js-memory-store');
  const store = new JsMemoryStore();
  return {
    append: (stream, first, count) => store.append(stream, batch(first, count), 'any'),
    readAll: async (visit) => {
      for (let from = 1; ;) {
        const page = await store.readAll({ fromPosition: from, limit: 1000 });
        if (page.length === 0) return;
        for (const e of page) visit(e.data);
        from = page[page.length - 1].position + 1;
      }
    },
  };
}

function emmettStore() {
  const { getInMemoryEventStore } = require('@event-driven-io/emmett');
  const store = getInMemoryEventStore();
  return {
    append: (stream, first, count) => {
      const events = [];
      for (let i = first; i < first + count; i++)
        events.push({ type: 'OrderPlaced', data: orderPlaced(i) });
      return store.appendToStream(stream, events);
    },
    // emmett's in-memory store has no global log: replay stream by stream.
    readAll: async (visit) => {
      for (let s = 0; s < STREAMS; s++) {
        const { events } = await store.readStream(`order-${s}`);
        for (const e of events) visit(e.data);
      }
    },
  };
}

function batch(first, count) {
  const events = [];
  for (let i = first; i < first + count; i++) events.push(toAppend(i));
  return events;
}

const STORES = { native: nativeStore, js: jsStore, emmett: emmettStore };

async function fill(store, total, perAppend) {
  for (let i = 0; i < total; i += perAppend) {
    await store.append(`order-${(i / perAppend) % STREAMS}`, i, Math.min(perAppend, total - i));
  }
}

/** Bytes the events carry: ids, types and JSON payloads. */
function payloadBytes(total) {
  let bytes = 0;
  for (let i = 0; i < total; i++) {
    const e = toAppend(i);
    bytes += e.eventId.length + e.type.length + e.data.length + e.metadata.length;
  }
  return bytes;
}

// ---- workloads ----------------------------------------------------------

const WORKLOADS = {
  'append-1m-batch-100': {
    unit: 'events/s',
    subjects: ['native', 'js', 'emmett'],
    async run(subject) {
      const store = STORES[subject]();
      const before = heapUsed();
      const start = process.hrtime.bigint();
      await fill(store, EVENTS, 100);
      const seconds = Number(process.hrtime.bigint() - start) / 1e9;
      const growth = heapUsed() - before;
      return { value: EVENTS / seconds, heapGrowth: growth, payload: payloadBytes(EVENTS) };
    },
  },
  'append-200k-single': {
    unit: 'appends/s',
    subjects: ['native', 'js', 'emmett'],
    async run(subject) {
      const store = STORES[subject]();
      const total = 200_000;
      const start = process.hrtime.bigint();
      await fill(store, total, 1);
      const seconds = Number(process.hrtime.bigint() - start) / 1e9;
      return { value: total / seconds };
    },
  },
  'replay-1m': {
    unit: 'events/s',
    subjects: ['native', 'js', 'emmett'],
    async run(subject) {
      const store = STORES[subject]();
      await fill(store, EVENTS, 100);
      const before = heapUsed();
      let items = 0;
      let peak = 0;
      let seen = 0;
      const start = process.hrtime.bigint();
      await store.readAll((data) => {
        items += data.items.length;
        if (++seen % 250_000 === 0) peak = Math.max(peak, process.memoryUsage().heapUsed);
      });
      const seconds = Number(process.hrtime.bigint() - start) / 1e9;
      if (items !== EVENTS * 3) throw new Error(`replayed ${items / 3} events`);
      return { value: EVENTS / seconds, heapPeakGrowth: peak - before };
    },
  },
  'snapshot-roundtrip': {
    unit: 'ops/s',
    subjects: ['native-lz4', 'zlib-deflate-raw', 'json-only'],
    async run(subject) {
      const state = {
        id: 'order-1',
        status: 'shipped',
        customerId: 'customer-42',
        lines: Array.from({ length: 60 }, (_, i) => ({
          sku: `SKU-${1000 + i}`,
          quantity: (i % 5) + 1,
          price: 9.99 + i,
          note: 'gift wrap',
        })),
        history: Array.from({ length: 40 }, (_, i) => ({
          at: new Date(1_700_000_000_000 + i * 60_000).toISOString(),
          event: i % 2 ? 'OrderLineAdded' : 'OrderPriced',
        })),
      };
      let pack;
      let unpack;
      if (subject === 'native-lz4') {
        require('../../scripts/register-ts');
        const {
          compressSnapshot,
          decompressSnapshot,
        } = require('../../libs/core/src/compression/snapshot-compression.ts');
        pack = (s) => compressSnapshot(Buffer.from(JSON.stringify(s)));
        unpack = (b) => JSON.parse(decompressSnapshot(b).toString());
      } else if (subject === 'zlib-deflate-raw') {
        pack = (s) => zlib.deflateRawSync(Buffer.from(JSON.stringify(s)));
        unpack = (b) => JSON.parse(zlib.inflateRawSync(b).toString());
      } else {
        pack = (s) => Buffer.from(JSON.stringify(s));
        unpack = (b) => JSON.parse(b.toString());
      }
      const rawBytes = Buffer.byteLength(JSON.stringify(state));
      const size = pack(state).length;
      const ops = 20_000;
      const start = process.hrtime.bigint();
      for (let i = 0; i < ops; i++) {
        if (unpack(pack(state)).lines.length !== 60) throw new Error('bad round trip');
      }
      const seconds = Number(process.hrtime.bigint() - start) / 1e9;
      return { value: ops / seconds, size, rawBytes };
    },
  },
};

// ---- driver -------------------------------------------------------------

function runChild(workload, subject) {
  return new Promise((resolve, reject) => {
    const child = fork(__filename, ['--child', workload, subject], {
      execArgv: ['--expose-gc', '--max-old-space-size=4096'],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    let result;
    child.on('message', (m) => (result = m));
    child.on('exit', (code) =>
      code === 0 && result
        ? resolve(result)
        : reject(new Error(`${workload}/${subject} exited with ${code}`)),
    );
  });
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const fmt = (n) => (n >= 100 ? Math.round(n).toLocaleString('en-US') : n.toFixed(2));
const mb = (n) => `${(n / 1048576).toFixed(1)} MB`;

async function main() {
  const args = process.argv.slice(2);
  if (args[0] === '--child') {
    const result = await WORKLOADS[args[1]].run(args[2]);
    process.send(result, () => process.exit(0));
    return;
  }
  const runsAt = args.indexOf('--runs');
  const runs = runsAt >= 0 ? Number(args[runsAt + 1]) : 3;
  const names = args.filter((a, i) => !a.startsWith('--') && i !== runsAt + 1);
  const selected = names.length > 0 ? names : Object.keys(WORKLOADS);
  const lines = ['| workload | subject | median | min–max | notes |', '|---|---|---|---|---|'];
  for (const name of selected) {
    const workload = WORKLOADS[name];
    const results = Object.fromEntries(workload.subjects.map((s) => [s, []]));
    for (let run = 0; run < runs; run++) {
      const order = run % 2 === 0 ? workload.subjects : [...workload.subjects].reverse();
      for (const subject of order) results[subject].push(await runChild(name, subject));
    }
    const best = Math.max(...workload.subjects.map((s) => median(results[s].map((r) => r.value))));
    for (const subject of workload.subjects) {
      const values = results[subject].map((r) => r.value);
      const last = results[subject][results[subject].length - 1];
      const notes = [`${(median(values) / best).toFixed(2)}× best`];
      if (last.heapGrowth !== undefined) {
        notes.push(
          `heap +${mb(median(results[subject].map((r) => r.heapGrowth)))} for ${mb(last.payload)} payload (${((100 * median(results[subject].map((r) => r.heapGrowth))) / last.payload).toFixed(1)}%)`,
        );
      }
      if (last.heapPeakGrowth !== undefined)
        notes.push(
          `heap peak +${mb(median(results[subject].map((r) => r.heapPeakGrowth)))} while replaying`,
        );
      if (last.size !== undefined) notes.push(`${last.rawBytes} B → ${last.size} B`);
      lines.push(
        `| ${name} | ${subject} | ${fmt(median(values))} ${workload.unit} | ${fmt(Math.min(...values))}–${fmt(Math.max(...values))} | ${notes.join('; ')} |`,
      );
    }
    console.log(lines.join('\n'));
    lines.length = 2;
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
