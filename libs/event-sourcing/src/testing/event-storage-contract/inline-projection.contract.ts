import { isCelloError } from '@cello/core';
import { EventType } from '../../decorators/event-type.decorator';
import { InlineProjectionError } from '../../errors/inline-projection.error';
import { RebuildInsideTransactionError } from '../../errors/rebuild-inside-transaction.error';
import { Event } from '../../event/event';
import { EventRegistry } from '../../event/event-registry';
import { EventSerializer } from '../../serialization/event-serializer';
import { EventStore } from '../../store/event-store';
import type { EventStorage } from '../../store/event-storage';
import type { InlineProjection, InlineProjectionContext } from '../../store/inline-projection';
import { newStreamId, range, rejection } from './contract-fixtures';
import type { StorageUnderTest } from './storage-under-test';

/** The event the inline projection cases append. */
@EventType('InlineContractTested')
class InlineTested extends Event {
  constructor(readonly n: number) {
    super();
  }
}

/** Events per rebuild page in these cases: several pages for a few dozen events. */
const PAGE_SIZE = 7;
/** Concurrent appenders racing a rebuild, and the fewest appends each makes. */
const RACERS = 4;
const APPENDS_PER_RACER = 12;

function storeOver(storage: EventStorage): EventStore {
  const registry = new EventRegistry();
  registry.registerEvent(InlineTested);
  return new EventStore(storage, new EventSerializer(registry, {}), registry, {
    readPageSize: PAGE_SIZE,
  });
}

/**
 * A read model kept in the test: the events it applied, in the order it applied
 * them, since its last reset. Only events of the streams the case names count.
 */
class Recorder implements InlineProjection {
  applied: { streamId: string; version: number; replaying: boolean }[] = [];
  resets = 0;
  failOn?: (context: InlineProjectionContext) => boolean;

  constructor(
    readonly name: string,
    private readonly streams: Set<string>,
  ) {}

  project(_event: Event, context: InlineProjectionContext): void {
    if (!this.streams.has(context.streamId)) return;
    if (this.failOn?.(context)) throw new Error(`refused ${context.streamId}@${context.version}`);
    this.applied.push({
      streamId: context.streamId,
      version: context.version,
      replaying: context.replaying === true,
    });
  }

  /** Other cases' events are of types this registry cannot decode: the rebuild passes them by. */
  handles(type: string): boolean {
    return type === 'InlineContractTested';
  }

  reset(): void {
    this.resets += 1;
    this.applied = [];
  }

  /** The versions applied per stream, in the order applied. */
  versionsOf(streamId: string): number[] {
    return this.applied.filter((a) => a.streamId === streamId).map((a) => a.version);
  }
}

/**
 * The contract cases of inline projections over the storage's `transaction`:
 * run inside the append, refuse it on error, and rebuild from the log while
 * appends go on, applying each event once.
 */
export function describeInlineProjections(subject: StorageUnderTest): void {
  describe('inline projections', () => {
    it('should project the events of an append before it resolves', async () => {
      // Given
      const store = storeOver(subject.storage);
      const stream = newStreamId();
      const projection = new Recorder(`inline-${stream}`, new Set([stream]));
      store.registerInlineProjection(projection);
      // When
      await store.append(stream, [new InlineTested(1), new InlineTested(2)]);
      // Then
      expect(projection.versionsOf(stream)).toEqual([1, 2]);
      expect(projection.applied.every((a) => !a.replaying)).toBe(true);
    });

    it('should resolve a projected append with the positions its events were stored at', async () => {
      // Given
      const store = storeOver(subject.storage);
      const stream = newStreamId();
      store.registerInlineProjection(new Recorder(`inline-${stream}`, new Set([stream])));
      // When
      const result = await store.append(stream, [new InlineTested(1), new InlineTested(2)]);
      // Then
      const stored = await subject.storage.readStream(stream);
      expect(result).toEqual({
        streamVersion: 2,
        positions: stored.map((event) => event.position),
        duplicate: false,
      });
    });

    it('should give the projection the versions the events are stored at under concurrent appends to one stream', async () => {
      // Given: a projection that yields while it projects
      const store = storeOver(subject.storage);
      const stream = newStreamId();
      const seen: number[] = [];
      store.registerInlineProjection({
        name: `inline-${stream}`,
        project: async (_event, context) => {
          await new Promise((resolve) => setImmediate(resolve));
          if (context.streamId === stream) seen.push(context.version);
        },
      });
      // When
      const results = await Promise.all(
        range(1, 4).map((n) => store.append(stream, new InlineTested(n))),
      );
      // Then
      expect([...seen].sort()).toEqual([1, 2, 3, 4]);
      expect(results.map((result) => result.streamVersion).sort()).toEqual([1, 2, 3, 4]);
    });

    it('should refuse the append with InlineProjectionError and store none of it when a projection throws', async () => {
      // Given
      const store = storeOver(subject.storage);
      const stream = newStreamId();
      const projection = new Recorder(`inline-${stream}`, new Set([stream]));
      projection.failOn = (context) => context.version === 2;
      store.registerInlineProjection(projection);
      // When
      const error = await rejection(
        store.append(stream, [new InlineTested(1), new InlineTested(2)]),
      );
      // Then
      expect(isCelloError(error, InlineProjectionError.code)).toBe(true);
      expect((error as InlineProjectionError).version).toBe(2);
      expect(await subject.storage.streamVersion(stream)).toBe(0);
    });

    it('should rebuild after its reset by replaying the whole log once, in order, then run inline again', async () => {
      // Given: more events than a page, in two streams
      const store = storeOver(subject.storage);
      const [a, b] = [newStreamId(), newStreamId()];
      for (const n of range(1, 10)) await store.append(n % 2 ? a : b, new InlineTested(n));
      const projection = new Recorder(`inline-${a}`, new Set([a, b]));
      store.registerInlineProjection(projection);
      // When
      await store.rebuildInlineProjection(projection.name);
      await store.append(a, new InlineTested(11));
      // Then
      expect(projection.resets).toBe(1);
      expect(projection.versionsOf(a)).toEqual([1, 2, 3, 4, 5, 6]);
      expect(projection.versionsOf(b)).toEqual([1, 2, 3, 4, 5]);
      expect(projection.applied.filter((x) => !x.replaying)).toEqual([
        { streamId: a, version: 6, replaying: false },
      ]);
      expect(store.inlineProjectionStatus()).toEqual([{ name: projection.name, state: 'inline' }]);
    });

    it(`should apply every event exactly once when ${RACERS} appenders race a rebuild`, async () => {
      // Given: a log of several pages
      const store = storeOver(subject.storage);
      const streams = range(1, RACERS).map(() => newStreamId());
      for (const n of range(1, 3 * PAGE_SIZE)) {
        await store.append(streams[n % RACERS], new InlineTested(n));
      }
      const projection = new Recorder(`inline-${streams[0]}`, new Set(streams));
      store.registerInlineProjection(projection);
      // When: appends keep coming until the rebuild is over
      let rebuilding = true;
      const rebuild = store.rebuildInlineProjection(projection.name).finally(() => {
        rebuilding = false;
      });
      const racing = streams.map(async (stream) => {
        for (let n = 1; rebuilding || n <= APPENDS_PER_RACER; n++) {
          await store.append(stream, new InlineTested(n));
        }
      });
      await Promise.all([...racing, rebuild]);
      await store.append(streams[0], new InlineTested(-1));
      // Then: each stream's versions once each, in order: none missed, none twice
      for (const stream of streams) {
        const version = await subject.storage.streamVersion(stream);
        expect({ stream, applied: projection.versionsOf(stream) }).toEqual({
          stream,
          applied: range(1, version),
        });
      }
      expect(store.inlineProjectionStatus()[0].state).toBe('inline');
    });

    it('should refuse a rebuild started inside a transaction with RebuildInsideTransactionError', async () => {
      // Given
      const store = storeOver(subject.storage);
      const stream = newStreamId();
      const projection = new Recorder(`inline-${stream}`, new Set([stream]));
      store.registerInlineProjection(projection);
      // When
      const error = await store.transaction(async (tx) => {
        await tx.append(stream, new InlineTested(1));
        return rejection(store.rebuildInlineProjection(projection.name));
      });
      // Then
      expect(isCelloError(error, RebuildInsideTransactionError.code)).toBe(true);
      expect(projection.resets).toBe(0);
      expect(await subject.storage.streamVersion(stream)).toBe(1);
    });

    it('should leave a projection whose rebuild failed out of the appends until a rebuild succeeds', async () => {
      // Given
      const store = storeOver(subject.storage);
      const stream = newStreamId();
      await store.append(stream, [new InlineTested(1), new InlineTested(2)]);
      const projection = new Recorder(`inline-${stream}`, new Set([stream]));
      projection.failOn = (context) => context.replaying === true && context.version === 2;
      store.registerInlineProjection(projection);
      // When
      const error = await rejection(store.rebuildInlineProjection(projection.name));
      await store.append(stream, new InlineTested(3));
      const [failed] = store.inlineProjectionStatus();
      projection.failOn = undefined;
      await store.rebuildInlineProjection(projection.name);
      // Then
      expect(isCelloError(error, InlineProjectionError.code)).toBe(true);
      expect(failed.state).toBe('failed');
      expect(failed.lastError).toContain(`${stream}@2`);
      expect(projection.versionsOf(stream)).toEqual([1, 2, 3]);
      expect(store.inlineProjectionStatus()[0].state).toBe('inline');
    });
  });
}
