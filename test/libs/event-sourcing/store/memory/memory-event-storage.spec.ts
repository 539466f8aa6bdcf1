import { randomUUID } from 'node:crypto';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { isCelloError } from '@cello/core';
import { ConcurrencyError } from '@cello/event-sourcing/errors/concurrency.error';
import { EventIdConflictError } from '@cello/event-sourcing/errors/event-id-conflict.error';
import { EventStoreUnavailableError } from '@cello/event-sourcing/errors/event-store-unavailable.error';
import { InvalidAppendError } from '@cello/event-sourcing/errors/invalid-append.error';
import type {
  EventToAppend,
  ExpectedVersion,
  ReplayedEvent,
  StoredEvent,
} from '@cello/event-sourcing/store/event-storage';
import { MemoryEventStorage } from '@cello/event-sourcing/store/memory/memory-event-storage';

function anEvent(data: unknown = { n: 1 }, eventId: string = randomUUID()): EventToAppend {
  return {
    eventId,
    type: 'OrderPlaced',
    schemaVersion: 1,
    data: JSON.stringify(data),
    metadata: '{}',
  };
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => {
      throw new Error('expected a rejection');
    },
    (error: unknown) => error,
  );
}

describe('MemoryEventStorage', () => {
  let storage: MemoryEventStorage;

  beforeEach(() => {
    storage = new MemoryEventStorage();
  });

  afterEach(async () => {
    await storage.close();
  });

  describe('when an append conflicts with the expected version', () => {
    it('should throw a ConcurrencyError with stream, expected and actual', async () => {
      // Given
      await storage.append('order-1', [anEvent(), anEvent()], 'no_stream');

      // When
      const error = await rejection(storage.append('order-1', [anEvent()], 1));

      // Then
      expect(error).toBeInstanceOf(ConcurrencyError);
      expect(error).toMatchObject({ streamId: 'order-1', expected: 1, actual: 2 });
      expect(await storage.streamVersion('order-1')).toBe(2);
    });
  });

  describe('when a large append is sent again', () => {
    it('should return the positions of all its events from the first write', async () => {
      // Given
      const events = Array.from({ length: 300 }, (_, n) => anEvent({ n }));
      await storage.append('order-0', [anEvent()], 'any');
      const first = await storage.append('order-1', events, 'no_stream');

      // When
      const again = await storage.append('order-1', events, 'no_stream');

      // Then
      expect(again).toEqual({ ...first, duplicate: true });
      expect(again.positions).toHaveLength(300);
      expect(again.positions[0]).toBe(2);
      expect(await storage.headPosition()).toBe(301);
    });
  });

  describe('when an append reuses some stored event ids', () => {
    it('should refuse it with EventIdConflictError naming the id, and write nothing', async () => {
      // Given
      const stored = anEvent();
      await storage.append('order-1', [stored], 'any');

      // When
      const error = await rejection(storage.append('order-1', [anEvent(), stored], 'any'));

      // Then
      expect(error).toBeInstanceOf(EventIdConflictError);
      expect((error as EventIdConflictError).eventIds).toEqual([stored.eventId]);
      expect(await storage.headPosition()).toBe(1);
    });

    it('should refuse ids already stored in another stream', async () => {
      // Given
      const stored = anEvent();
      await storage.append('order-1', [stored], 'any');

      // When
      const error = await rejection(storage.append('order-2', [stored], 'any'));

      // Then
      expect(isCelloError(error, EventIdConflictError.code)).toBe(true);
      expect(await storage.streamVersion('order-2')).toBe(0);
    });
  });

  describe('when an append is malformed', () => {
    it.each<[string, EventToAppend]>([
      ['data that is not JSON', { ...anEvent(), data: '{"open":' }],
      ['metadata that is not JSON', { ...anEvent(), metadata: 'nope' }],
      ['an empty event id', { ...anEvent(), eventId: '' }],
      ['an empty type', { ...anEvent(), type: '' }],
      ['a negative schema version', { ...anEvent(), schemaVersion: -1 }],
      ['a fractional schema version', { ...anEvent(), schemaVersion: 1.5 }],
      ['a missing payload', { ...anEvent(), data: undefined as unknown as string }],
    ])('should refuse %s with InvalidAppendError and write nothing', async (_label, bad) => {
      // Given
      const good = anEvent();

      // When
      const error = await rejection(storage.append('order-1', [good, bad], 'any'));

      // Then
      expect(error).toBeInstanceOf(InvalidAppendError);
      expect(await storage.headPosition()).toBe(0);
      expect(await storage.readStream('order-1')).toEqual([]);
    });

    it.each<[string, ExpectedVersion]>([
      ['negative', -1],
      ['fractional', 1.5],
      ['unknown', 'latest' as ExpectedVersion],
    ])('should refuse a %s expected version', async (_label, expected) => {
      const error = await rejection(storage.append('order-1', [anEvent()], expected));
      expect(error).toBeInstanceOf(InvalidAppendError);
    });

    it('should refuse an empty stream id and an empty batch', async () => {
      expect(await rejection(storage.append('', [anEvent()], 'any'))).toBeInstanceOf(
        InvalidAppendError,
      );
      expect(await rejection(storage.append('order-1', [], 'any'))).toBeInstanceOf(
        InvalidAppendError,
      );
    });
  });

  describe('when records fill several arena chunks', () => {
    it('should read every event back across chunk boundaries, large ones included', async () => {
      // Given a log with tiny chunks and a page size smaller than the reads
      await storage.close();
      storage = new MemoryEventStorage({ chunkCapacity: 512, readPageSize: 3 });
      const big = { blob: 'ü'.repeat(2000) };
      const events = [
        anEvent({ n: 1 }),
        anEvent(big),
        ...Array.from({ length: 20 }, (_, n) => anEvent({ n })),
      ];

      // When
      await storage.append('order-1', events.slice(0, 5), 'no_stream');
      await storage.append('order-2', [anEvent()], 'no_stream');
      await storage.append('order-1', events.slice(5), 5);

      // Then
      const read = await storage.readStream('order-1');
      expect(read.map((e) => e.eventId)).toEqual(events.map((e) => e.eventId));
      expect(read[1].data).toEqual(big);
      const all = await storage.readAll({ fromPosition: 5, limit: 4 });
      expect(all.map((e) => e.position)).toEqual([5, 6, 7, 8]);
      expect(all[1].streamId).toBe('order-2');
    });
  });

  describe('when a stream is replayed for load (replayStream)', () => {
    it('should deliver what readStream reads, across chunks and pages, whatever the ids and payloads hold', async () => {
      // Given: tiny chunks, ids and payloads that need JSON escaping or are not ASCII, more events than a page
      await storage.close();
      storage = new MemoryEventStorage({ chunkCapacity: 512 });
      const events = [
        anEvent({ text: '"quoted" \\ \u0001 <b>' }, 'id "with" quotes \\ and \n'),
        anEvent({ blob: 'ü🎉'.repeat(500) }, 'ïd-ü'),
        ...Array.from({ length: 600 }, (_, n) => anEvent({ n })),
      ];
      await storage.append('order-1', events, 'no_stream');
      const stored = await storage.readStream('order-1');

      // When
      const replayed: ReplayedEvent[] = [];
      await storage.replayStream('order-1', { pageSize: 1000 }, (event) => replayed.push(event));

      // Then
      expect(replayed).toHaveLength(stored.length);
      replayed.forEach((event, i) => {
        expect(event).toEqual({
          position: stored[i].position,
          version: stored[i].version,
          eventId: stored[i].eventId,
          type: stored[i].type,
          schemaVersion: stored[i].schemaVersion,
          data: stored[i].data,
          datePaths: undefined,
        });
      });
      expect(replayed[0].eventId).toBe(events[0].eventId);
    });

    it('should refuse a fromVersion or pageSize that is not a whole number >= 0', async () => {
      // Given
      await storage.append('order-1', [anEvent()], 'any');

      // When
      const errors = await Promise.all([
        rejection(storage.replayStream('order-1', { fromVersion: -1 }, () => undefined)),
        rejection(storage.replayStream('order-1', { pageSize: 1.5 }, () => undefined)),
      ]);

      // Then
      for (const error of errors) expect(isCelloError(error, 'invalid-read-options')).toBe(true);
    });
  });

  describe('when events are read', () => {
    it('should restore recordedAt and keep each call independent of the next', async () => {
      // Given
      const before = Date.now();
      await storage.append('order-1', [anEvent({ a: 1 })], 'any');

      // When
      const [first] = await storage.readStream('order-1');
      (first.data as { a: number }).a = 99;
      const [again] = await storage.readStream('order-1');

      // Then
      expect(first.recordedAt.getTime()).toBeGreaterThanOrEqual(before);
      expect(again.data).toEqual({ a: 1 });
    });

    it('should name the stream and type of each event when several interleave', async () => {
      // Given
      const typed = (type: string): EventToAppend => ({ ...anEvent(), type });
      await storage.append('order-1', [typed('OrderPlaced'), typed('OrderShipped')], 'any');
      await storage.append('invoice-1', [typed('InvoiceRaised')], 'any');
      await storage.append('order-1', [typed('OrderPlaced')], 'any');

      // When
      const all = await storage.readAll();

      // Then
      expect(all.map((e) => [e.streamId, e.type])).toEqual([
        ['order-1', 'OrderPlaced'],
        ['order-1', 'OrderShipped'],
        ['invoice-1', 'InvoiceRaised'],
        ['order-1', 'OrderPlaced'],
      ]);
    });

    it('should keep non-ASCII ids, types, payloads and metadata verbatim', async () => {
      // Given
      const event: EventToAppend = {
        eventId: `évènement-✓-${randomUUID()}`,
        type: 'CommandePassée',
        schemaVersion: 2,
        data: JSON.stringify({ client: 'José 🎉', lines: ['ü'] }),
        metadata: JSON.stringify({ by: 'Zoë' }),
      };

      // When
      await storage.append('commande-ü', [anEvent({ ascii: true }), event], 'any');

      // Then
      const [, read] = await storage.readStream('commande-ü');
      expect(read).toMatchObject({
        eventId: event.eventId,
        type: event.type,
        schemaVersion: 2,
        data: { client: 'José 🎉', lines: ['ü'] },
        metadata: { by: 'Zoë' },
      });
    });

    it.each([
      ['a negative limit', { limit: -1 }],
      ['a fractional fromVersion', { fromVersion: 1.5 }],
      ['a NaN fromPosition', { fromPosition: Number.NaN }],
    ])('should refuse %s with an invalid-read-options error', async (_label, options) => {
      const error = await rejection(
        'fromPosition' in options
          ? storage.readAll(options)
          : storage.readStream('order-1', options),
      );
      expect(isCelloError(error, 'invalid-read-options')).toBe(true);
    });

    it('should treat a limit of 0 as nothing to read', async () => {
      await storage.append('order-1', [anEvent()], 'any');
      expect(await storage.readStream('order-1', { limit: 0 })).toEqual([]);
      expect(await storage.readAll({ limit: 0 })).toEqual([]);
    });
  });

  describe('when snapshots are saved', () => {
    it('should keep a copy the caller cannot change afterwards', async () => {
      // Given
      const state = Buffer.from('state');
      await storage.saveSnapshot({
        streamId: 'order-1',
        aggregateType: 'Order',
        version: 3,
        schemaVersion: 1,
        state,
        createdAt: new Date(),
      });

      // When
      state.write('XXXXX');
      const loaded = await storage.loadSnapshot('order-1', 'Order');
      loaded?.state.write('YYYYY');

      // Then
      expect((await storage.loadSnapshot('order-1', 'Order'))?.state.toString()).toBe('state');
    });
  });

  describe('when listeners wait for appends', () => {
    it('should wake each once per burst of appends, and not after unsubscribing', async () => {
      // Given
      let wakes = 0;
      let failing = 0;
      const unsubscribe = storage.onAppended(() => wakes++);
      storage.onAppended(() => {
        failing++;
        throw new Error('listener bug');
      });

      // When
      await storage.append('order-1', [anEvent()], 'any');
      await storage.append('order-1', [anEvent()], 'any');
      await new Promise((resolve) => setImmediate(resolve));
      unsubscribe();
      await storage.append('order-1', [anEvent()], 'any');
      await new Promise((resolve) => setImmediate(resolve));

      // Then
      expect(wakes).toBe(1);
      expect(failing).toBe(2);
    });

    it('should not wake anyone for a re-send that stored nothing', async () => {
      // Given
      const events = [anEvent()];
      await storage.append('order-1', events, 'any');
      await new Promise((resolve) => setImmediate(resolve));
      let wakes = 0;
      storage.onAppended(() => wakes++);

      // When
      const again = await storage.append('order-1', events, 'any');
      await new Promise((resolve) => setImmediate(resolve));

      // Then
      expect(again.duplicate).toBe(true);
      expect(wakes).toBe(0);
    });
  });

  describe('when a checkpoint is read without the lease', () => {
    it("should see the holder's progress, and 0 for an unknown processor", async () => {
      // Given
      const lease = (await storage.acquireLease('projection', 'instance-a', 10_000))!;
      await storage.storeCheckpoint(lease, 42);

      // When
      const seen = await storage.readCheckpoint('projection');

      // Then
      expect(seen).toBe(42);
      expect(await storage.readCheckpoint('never-ran')).toBe(0);
    });
  });

  describe('when the storage is closed', () => {
    it('should fail every call with EventStoreUnavailableError', async () => {
      // Given
      await storage.append('order-1', [anEvent()], 'any');

      // When
      await storage.close();

      // Then
      for (const call of [
        () => storage.append('order-1', [anEvent()], 'any'),
        () => storage.readStream('order-1'),
        () => storage.readAll(),
        () => storage.replayStream('order-1', {}, () => undefined),
        () => storage.ping(),
      ]) {
        expect(await rejection(call())).toBeInstanceOf(EventStoreUnavailableError);
      }
    });
  });

  describe('when a stream of 1,000,000 events is stored and read in pages', () => {
    it('should keep the events off the V8 heap and the heap bounded while reading', async () => {
      // Given a way to collect garbage, so heap figures are not noise
      setFlagsFromString('--expose-gc');
      const gc = runInNewContext('gc') as () => void;
      const total = 1_000_000;
      const batch = 10_000;
      const data = JSON.stringify({
        orderId: 'order-1',
        customerId: 'customer-1',
        items: [
          { sku: 'A-1', qty: 1, price: 9.99 },
          { sku: 'B-2', qty: 2, price: 19.99 },
          { sku: 'C-3', qty: 3, price: 29.99 },
        ],
      });
      gc();
      const heapBefore = process.memoryUsage().heapUsed;

      // When
      for (let start = 0; start < total; start += batch) {
        const events = Array.from({ length: batch }, (_, i) => ({
          eventId: `event-${start + i}`,
          type: 'OrderPlaced',
          schemaVersion: 1,
          data,
          metadata: '{}',
        }));
        await storage.append('big', events, 'any');
      }
      gc();
      const heapAfterAppend = process.memoryUsage().heapUsed;

      let read = 0;
      let lastVersion = 0;
      let heapPeak = 0;
      for (let from = 1; ;) {
        const page: StoredEvent[] = await storage.readStream('big', {
          fromVersion: from,
          limit: 5_000,
        });
        if (page.length === 0) break;
        for (const event of page) {
          if (event.version !== lastVersion + 1) throw new Error(`gap at ${event.version}`);
          lastVersion = event.version;
        }
        read += page.length;
        from = lastVersion + 1;
        if (read % 100_000 === 0) {
          gc();
          heapPeak = Math.max(heapPeak, process.memoryUsage().heapUsed);
        }
      }

      // Then
      const payloadBytes = total * data.length;
      expect(read).toBe(total);
      expect(heapAfterAppend - heapBefore).toBeLessThan(payloadBytes * 0.1);
      expect(heapPeak - heapBefore).toBeLessThan(payloadBytes * 0.1);
    }, 120_000);
  });

  describe("when a transaction's event id is stored by another writer before it commits", () => {
    it('should refuse the commit with EventIdConflictError and store none of its appends', async () => {
      // Given
      const taken = anEvent({ taken: true });
      const head = await storage.headPosition();

      // When: another writer stores the id while the transaction's work still runs
      const error = await rejection(
        storage.transaction(async (tx) => {
          await tx.append('tx-a', [anEvent(), anEvent()], 'no_stream');
          await tx.append('tx-b', [anEvent(), taken], 'no_stream');
          await storage.append('elsewhere', [taken], 'no_stream');
        }),
      );

      // Then
      expect(isCelloError(error, EventIdConflictError.code)).toBe(true);
      expect(error).toMatchObject({ streamId: 'tx-b', eventIds: [taken.eventId] });
      expect(await storage.streamVersion('tx-a')).toBe(0);
      expect(await storage.streamVersion('tx-b')).toBe(0);
      expect((await storage.readAll({ fromPosition: head + 1 })).map((e) => e.streamId)).toEqual([
        'elsewhere',
      ]);
    });

    it('should refuse an id the same transaction already used in another stream, storing nothing', async () => {
      // Given
      const shared = anEvent({ shared: true });

      // When
      const error = await rejection(
        storage.transaction(async (tx) => {
          await tx.append('tx-c', [shared], 'no_stream');
          await tx.append('tx-d', [anEvent(), shared], 'no_stream');
        }),
      );

      // Then
      expect(isCelloError(error, EventIdConflictError.code)).toBe(true);
      expect(await storage.streamVersion('tx-c')).toBe(0);
      expect(await storage.streamVersion('tx-d')).toBe(0);
    });
  });
});
