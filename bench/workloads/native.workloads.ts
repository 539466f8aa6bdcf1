import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { deflateRawSync, inflateRawSync } from 'node:zlib';
import { lazyRequire } from '../support/lazy-require';
import { orderPlacedData } from '../support/order-placed';
import { secondsSince, unitsPerSecond } from '../support/timing';
import type { BenchContext, Measurement, WorkloadDefinition } from '../support/workload';

type Core = typeof import('@cello/core/internal');
type EventSourcing = typeof import('@cello/event-sourcing');
type StorageLike = Pick<import('@cello/event-sourcing').EventStorage, 'append' | 'readStream'>;

/**
 * Native versus plain TypeScript at the storage contract, where the crossing
 * happens: single-event appends, then every stream read back and parsed.
 */
async function eventLog(context: BenchContext, make: () => StorageLike): Promise<Measurement> {
  const total = context.quick ? 20_000 : 200_000;
  const perStream = 100;
  const storage = make();
  const ids = Array.from({ length: total / perStream }, () => randomUUID());
  const metadata = JSON.stringify({ correlationId: 'bench' });
  const appendStart = process.hrtime.bigint();
  for (let v = 1; v <= perStream; v++) {
    for (const id of ids) {
      const event = {
        eventId: randomUUID(),
        type: 'OrderPlaced',
        schemaVersion: 1,
        data: JSON.stringify(orderPlacedData(id, v)),
        metadata,
      };
      await storage.append(id, [event], v - 1);
    }
  }
  const appendSeconds = secondsSince(appendStart);
  const readStart = process.hrtime.bigint();
  let read = 0;
  for (const id of ids) read += (await storage.readStream(id)).length;
  const readSeconds = secondsSince(readStart);
  if (read !== total) throw new Error(`read back ${read} events, expected ${total}`);
  return {
    value: (2 * total) / (appendSeconds + readSeconds),
    extra: { appendPerSecond: total / appendSeconds, readPerSecond: total / readSeconds },
    detail: `${total.toLocaleString('en-US')} single-event appends, then ${ids.length.toLocaleString('en-US')} streams read back`,
  };
}

/** A snapshot-sized aggregate state: an order history of 200 entries (~45 KB of JSON). */
function snapshotDocument(): object {
  return {
    aggregate: 'OrderBook',
    version: 10_000,
    state: { orders: Array.from({ length: 200 }, (_, i) => orderPlacedData(randomUUID(), i)) },
  };
}

async function codec(
  context: BenchContext,
  encode: (json: Buffer) => Buffer,
  decode: (bytes: Buffer) => Buffer,
): Promise<Measurement> {
  const document = snapshotDocument();
  const json = Buffer.from(JSON.stringify(document));
  let size = 0;
  const result = await unitsPerSecond(
    async () => {
      for (let i = 0; i < 100; i++) {
        const bytes = encode(Buffer.from(JSON.stringify(document)));
        size = bytes.length;
        JSON.parse(decode(bytes).toString('utf8'));
      }
      return 100;
    },
    context.quick ? { warmupMs: 100, durationMs: 400 } : { warmupMs: 500, durationMs: 2000 },
  );
  return {
    value: result.rate,
    extra: { storedBytesRatio: size / json.length },
    detail: `save + load of a ${Math.round(json.length / 1024)} KB state (stringify, encode, decode, parse)`,
  };
}

export const nativeEventLog: WorkloadDefinition = {
  name: 'native-event-log',
  unit: 'events/s',
  description:
    'Native vs TypeScript: MemoryEventStorage (Rust log, one crossing per append) vs a plain TypeScript store of the same contract, append then read back',
  postgres: false,
  targetText: 'native ≥ 1× the TypeScript way (else batch the crossings or move it back)',
  targets: [{ kind: 'vs-peer', peer: 'ts-memory-store', min: 1 }],
  subjects: [
    {
      name: 'cello',
      role: 'cello',
      run: (c) =>
        eventLog(
          c,
          () => new (lazyRequire<EventSourcing>('@cello/event-sourcing').MemoryEventStorage)(),
        ),
    },
    {
      name: 'ts-memory-store',
      role: 'peer',
      run: (c) =>
        eventLog(c, () => {
          const { JsMemoryStore } = lazyRequire<{ JsMemoryStore: new () => StorageLike }>(
            path.join(__dirname, '..', 'native', 'js-memory-store.js'),
          );
          return new JsMemoryStore();
        }),
    },
  ],
};

export const nativeSnapshotCodec: WorkloadDefinition = {
  name: 'native-snapshot-codec',
  unit: 'ops/s',
  description:
    'Native vs TypeScript: snapshot save + load with the Rust LZ4 + CRC32C codec vs plain JSON bytes (and node:zlib as a reference)',
  postgres: false,
  targetText: 'native ≥ 1× the TypeScript way (plain JSON), for ~2× smaller snapshots',
  targets: [{ kind: 'vs-peer', peer: 'ts-json', min: 1 }],
  subjects: [
    {
      name: 'cello',
      role: 'cello',
      run: (c) => {
        const core = lazyRequire<Core>('@cello/core/internal');
        return codec(
          c,
          (b) => core.compressSnapshot(b),
          (b) => core.decompressSnapshot(b),
        );
      },
    },
    {
      name: 'ts-json',
      role: 'peer',
      run: (c) =>
        codec(
          c,
          (b) => b,
          (b) => b,
        ),
    },
    {
      name: 'node-zlib-level-1',
      role: 'reference',
      run: (c) =>
        codec(
          c,
          (b) => deflateRawSync(b, { level: 1 }),
          (b) => inflateRawSync(b),
        ),
    },
  ],
};
