import { randomUUID } from 'node:crypto';
import { isCelloError } from '@cello/core';
import { ConcurrencyError } from '../errors/concurrency.error';
import { InvalidAppendError } from '../errors/invalid-append.error';
import { InvalidReadOptionsError } from '../errors/invalid-read-options.error';
import { EventRegistry } from '../event/event-registry';
import { EventSerializer } from '../serialization/event-serializer';
import { EventStore } from '../store/event-store';
import { DATE_PATHS_METADATA_KEY } from '../serialization/date-paths';
import type {
  EventStorage,
  EventToAppend,
  ExpectedVersion,
  ReplayedEvent,
  ReplayStreamOptions,
  ReadAllOptions,
  ReadStreamOptions,
  StoredEvent,
} from '../store/event-storage';

/**
 * The backend contract suite: the same cases for every `EventStorage`
 * (memory, PostgreSQL, a user's own). Call it inside a jest test file:
 *
 * ```ts
 * describeEventStorageContract('MyEventStorage', async () => new MyEventStorage(...));
 * ```
 *
 * `factory` is called before each case and must return a ready storage (the
 * suite calls `init()` itself); the suite closes it after the case, then calls
 * `cleanup` when given. Cases use fresh stream and processor names and read
 * the global log relative to its head, so a storage shared between cases works.
 */
export function describeEventStorageContract(
  name: string,
  factory: () => Promise<EventStorage>,
  cleanup?: (storage: EventStorage) => Promise<void>,
): void {
  describe(`${name} (event storage contract)`, () => {
    let storage: EventStorage;

    beforeEach(async () => {
      storage = await factory();
      await storage.init();
    });

    afterEach(async () => {
      await storage.close();
      await cleanup?.(storage);
    });

    describe('when events are appended to a new stream', () => {
      it('should read them back in order with versions, types, payloads and metadata', async () => {
        // Given
        const streamId = newStreamId();
        const events = [
          anEvent({ n: 1, at: '2026-01-01T00:00:00.000Z' }, { correlationId: 'c-1' }),
          anEvent({ n: 2 }),
        ];

        // When
        const result = await storage.append(streamId, events, 'no_stream');

        // Then
        expect(result.duplicate).toBe(false);
        expect(result.streamVersion).toBe(2);
        expect(result.positions).toHaveLength(2);
        expect(result.positions[1]).toBeGreaterThan(result.positions[0]);
        const read = await storage.readStream(streamId);
        expect(read.map((e) => e.version)).toEqual([1, 2]);
        expect(read.map((e) => e.position)).toEqual(result.positions);
        expect(read[0]).toMatchObject({
          streamId,
          eventId: events[0].eventId,
          type: events[0].type,
          schemaVersion: 1,
          data: { n: 1, at: '2026-01-01T00:00:00.000Z' },
          metadata: { correlationId: 'c-1' },
        });
        expect(read[0].recordedAt).toBeInstanceOf(Date);
        expect(Number.isNaN(read[0].recordedAt.getTime())).toBe(false);
        expect(await storage.streamVersion(streamId)).toBe(2);
      });

      it('should keep stream ids and payloads with metacharacters verbatim', async () => {
        // Given
        const streamId = `order-'; DROP TABLE x;--<script>ü-${randomUUID()}`;
        const payload = {
          text: `"quotes" 'single' \\ back <b>html</b> 🎉 \u0001 null`,
          nested: [1],
        };

        // When
        await storage.append(streamId, [anEvent(payload)], 'any');

        // Then
        const [read] = await storage.readStream(streamId);
        expect(read.streamId).toBe(streamId);
        expect(read.data).toEqual(payload);
      });

      it('should keep the schema version of each event', async () => {
        // Given
        const streamId = newStreamId();

        // When
        await storage.append(streamId, [anEvent({ v: 3 }, {}, 3)], 'any');

        // Then
        const [read] = await storage.readStream(streamId);
        expect(read.schemaVersion).toBe(3);
      });
    });

    describe('when a stream is read', () => {
      it('should return nothing and version 0 for a stream that does not exist', async () => {
        // Given
        const streamId = newStreamId();

        // When
        const read = await storage.readStream(streamId);

        // Then
        expect(read).toEqual([]);
        expect(await storage.streamVersion(streamId)).toBe(0);
      });

      it('should honour fromVersion and limit', async () => {
        // Given
        const streamId = newStreamId();
        await storage.append(streamId, anEvents(10), 'no_stream');

        // When
        const page = await storage.readStream(streamId, { fromVersion: 4, limit: 3 });
        const tail = await storage.readStream(streamId, { fromVersion: 9 });

        // Then
        expect(page.map((e) => e.version)).toEqual([4, 5, 6]);
        expect(tail.map((e) => e.version)).toEqual([9, 10]);
      });

      it('should page through a stream to its end', async () => {
        // Given
        const streamId = newStreamId();
        await storage.append(streamId, anEvents(25), 'no_stream');

        // When
        const versions: number[] = [];
        for (let from = 1; ;) {
          const page = await storage.readStream(streamId, { fromVersion: from, limit: 7 });
          if (page.length === 0) break;
          versions.push(...page.map((e) => e.version));
          from = page[page.length - 1].version + 1;
        }

        // Then
        expect(versions).toEqual(range(1, 25));
      });
    });

    describe('when a stream is replayed for EventStore.load (replayStream, else readStream)', () => {
      it('should deliver the events from fromVersion with what load needs and the date paths', async () => {
        // Given
        const streamId = newStreamId();
        const datePaths = [['at'], ['items', 0, 'due']];
        await storage.append(
          streamId,
          [
            anEvent({ n: 1 }, { correlationId: 'c-1' }),
            anEvent(
              { n: 2, at: '2026-01-01T00:00:00.000Z' },
              { [DATE_PATHS_METADATA_KEY]: datePaths },
              2,
            ),
            anEvent({ n: 3, text: `"ü" 🎉 \\ <b>\u0001` }),
          ],
          'no_stream',
        );
        const stored = await storage.readStream(streamId);

        // When
        const all = await replay(storage, streamId);
        const tail = await replay(storage, streamId, { fromVersion: 2 });

        // Then
        expect(all.map((e) => e.version)).toEqual([1, 2, 3]);
        expect(tail.map((e) => e.version)).toEqual([2, 3]);
        all.forEach((event, i) => {
          expect(event).toMatchObject({
            position: stored[i].position,
            version: stored[i].version,
            eventId: stored[i].eventId,
            type: stored[i].type,
            schemaVersion: stored[i].schemaVersion,
            data: stored[i].data,
          });
        });
        expect(all[1].datePaths).toEqual(datePaths);
        expect(all[0].datePaths ?? undefined).toBeUndefined();
        expect(all[2].datePaths ?? undefined).toBeUndefined();
      });

      it('should deliver a stream longer than a page whole and in order', async () => {
        // Given
        const streamId = newStreamId();
        await storage.append(streamId, anEvents(25), 'no_stream');

        // When
        const events = await replay(storage, streamId, { fromVersion: 3, pageSize: 7 });

        // Then
        expect(events.map((e) => e.version)).toEqual(range(3, 25));
        expect(events.map((e) => (e.data as { n: number }).n)).toEqual(range(3, 25));
      });

      it('should deliver nothing for a stream that does not exist', async () => {
        const events = await replay(storage, newStreamId());
        expect(events).toEqual([]);
      });

      it('should stop at the first event the handler throws on, reject with that error, and stay usable', async () => {
        // Given
        const streamId = newStreamId();
        await storage.append(streamId, anEvents(30), 'no_stream');
        const failure = new Error('handler failed on event 3');
        const seen: number[] = [];

        // When
        const error = await replay(storage, streamId, { pageSize: 10 }, (event) => {
          seen.push(event.version);
          if (event.version === 3) throw failure;
        }).catch((e: unknown) => e);

        // Then
        expect(error).toBe(failure);
        expect(seen).toEqual([1, 2, 3]);
        expect((await replay(storage, streamId)).map((e) => e.version)).toEqual(range(1, 30));
      });
    });

    describe('when the expected version is checked', () => {
      it.each<[string, ExpectedVersion, number]>([
        ['no_stream on a new stream', 'no_stream', 0],
        ['0 on a new stream', 0, 0],
        ['any on a new stream', 'any', 0],
        ['any on an existing stream', 'any', 2],
        ['stream_exists on an existing stream', 'stream_exists', 2],
        ['the exact version', 2, 2],
      ])('should accept %s', async (_label, expected, existing) => {
        // Given
        const streamId = newStreamId();
        if (existing > 0) await storage.append(streamId, anEvents(existing), 'no_stream');

        // When
        const result = await storage.append(streamId, [anEvent({})], expected);

        // Then
        expect(result.streamVersion).toBe(existing + 1);
        expect(await storage.streamVersion(streamId)).toBe(existing + 1);
      });

      it.each<[string, ExpectedVersion, number]>([
        ['no_stream on an existing stream', 'no_stream', 2],
        ['stream_exists on a new stream', 'stream_exists', 0],
        ['a version behind', 1, 2],
        ['a version ahead', 5, 2],
        ['a version on a new stream', 1, 0],
        ['0 on an existing stream', 0, 2],
      ])(
        'should reject %s with a ConcurrencyError and write nothing',
        async (_label, expected, existing) => {
          // Given
          const streamId = newStreamId();
          if (existing > 0) await storage.append(streamId, anEvents(existing), 'no_stream');
          const headBefore = await storage.headPosition();
          const event = anEvent({});

          // When
          const error = await storage.append(streamId, [event, anEvent({})], expected).then(
            () => undefined,
            (err: unknown) => err,
          );

          // Then
          expect(isCelloError(error, ConcurrencyError.code)).toBe(true);
          expect(error).toMatchObject({ streamId, expected, actual: existing });
          expect((error as Error).message).toContain(streamId);
          expect(await storage.streamVersion(streamId)).toBe(existing);
          expect(await storage.readStream(streamId)).toHaveLength(existing);
          const after = await readAllFrom(storage, headBefore + 1);
          expect(after.map((e) => e.eventId)).not.toContain(event.eventId);
        },
      );
    });

    describe('when the EventStore facade appends no events', () => {
      it.each<[string, ExpectedVersion, number]>([
        ['no_stream on a new stream', 'no_stream', 0],
        ['0 on a new stream', 0, 0],
        ['any on a new stream', 'any', 0],
        ['any on an existing stream', 'any', 2],
        ['stream_exists on an existing stream', 'stream_exists', 2],
        ['the exact version', 2, 2],
      ])('should accept %s and write nothing', async (_label, expected, existing) => {
        // Given
        const streamId = newStreamId();
        if (existing > 0) await storage.append(streamId, anEvents(existing), 'no_stream');
        const store = eventStoreOver(storage);

        // When
        const result = await store.append(streamId, [], { expectedVersion: expected });

        // Then
        expect(result).toEqual({ streamVersion: existing, positions: [], duplicate: false });
        expect(await storage.streamVersion(streamId)).toBe(existing);
      });

      it.each<[string, ExpectedVersion, number]>([
        ['no_stream on an existing stream', 'no_stream', 2],
        ['stream_exists on a new stream', 'stream_exists', 0],
        ['a version behind', 1, 2],
        ['a version ahead', 5, 2],
        ['a version on a new stream', 1, 0],
        ['0 on an existing stream', 0, 2],
      ])(
        'should reject %s with a ConcurrencyError, as a non-empty append would',
        async (_label, expected, existing) => {
          // Given
          const streamId = newStreamId();
          if (existing > 0) await storage.append(streamId, anEvents(existing), 'no_stream');
          const store = eventStoreOver(storage);

          // When
          const error = await store.append(streamId, [], { expectedVersion: expected }).then(
            () => undefined,
            (err: unknown) => err,
          );

          // Then
          expect(isCelloError(error, ConcurrencyError.code)).toBe(true);
          expect(error).toMatchObject({ streamId, expected, actual: existing });
          expect(await storage.streamVersion(streamId)).toBe(existing);
        },
      );
    });

    describe('when read options are malformed', () => {
      const malformed: [string, ReadStreamOptions & ReadAllOptions, string, unknown][] = [
        ['a negative fromVersion', { fromVersion: -1 }, 'fromVersion', -1],
        ['a fractional fromVersion', { fromVersion: 1.5 }, 'fromVersion', 1.5],
        ['a NaN fromVersion', { fromVersion: Number.NaN }, 'fromVersion', Number.NaN],
        ['a fromVersion given as text', { fromVersion: '2' as never }, 'fromVersion', '2'],
        ['a negative limit', { limit: -1 }, 'limit', -1],
        ['a fractional limit', { limit: 2.5 }, 'limit', 2.5],
        ['an infinite limit', { limit: Number.POSITIVE_INFINITY }, 'limit', Infinity],
        ['a negative fromPosition', { fromPosition: -5 }, 'fromPosition', -5],
        ['a fractional fromPosition', { fromPosition: 0.5 }, 'fromPosition', 0.5],
      ];
      const streamRead = malformed.filter(([, options]) => !('fromPosition' in options));
      const globalRead = malformed.filter(([, options]) => !('fromVersion' in options));

      it.each(streamRead)(
        'should refuse %s in readStream with InvalidReadOptionsError naming it',
        async (_label, options, option, value) => {
          // Given
          const streamId = newStreamId();
          await storage.append(streamId, anEvents(3), 'no_stream');
          const store = eventStoreOver(storage);

          // When
          const errors = await Promise.all([
            rejection(storage.readStream(streamId, options)),
            rejection(store.readStream(streamId, options)),
            // streamEvents pages by pageSize; it takes fromVersion but no limit.
            ...('fromVersion' in options
              ? [rejection(store.streamEvents(streamId, options).next())]
              : []),
          ]);

          // Then
          for (const error of errors) {
            expect(error).toBeInstanceOf(InvalidReadOptionsError);
            expect(error).toMatchObject({ code: InvalidReadOptionsError.code, option, value });
            expect((error as Error).message).toContain(option);
          }
        },
      );

      it.each(globalRead)(
        'should refuse %s in readAll with InvalidReadOptionsError naming it',
        async (_label, options, option, value) => {
          // Given
          await storage.append(newStreamId(), anEvents(3), 'no_stream');
          const store = eventStoreOver(storage);

          // When
          const errors = await Promise.all([
            rejection(storage.readAll(options)),
            rejection(store.readAll(options)),
          ]);

          // Then
          for (const error of errors) {
            expect(error).toBeInstanceOf(InvalidReadOptionsError);
            expect(error).toMatchObject({ code: InvalidReadOptionsError.code, option, value });
          }
        },
      );

      it('should refuse a streamEvents pageSize below 1', async () => {
        const store = eventStoreOver(storage);
        const error = await rejection(store.streamEvents(newStreamId(), { pageSize: 0 }).next());
        expect(error).toMatchObject({ code: InvalidReadOptionsError.code, option: 'pageSize' });
      });

      it('should treat a limit of 0 as nothing to read', async () => {
        // Given
        const streamId = newStreamId();
        await storage.append(streamId, anEvents(2), 'no_stream');

        // When
        const stream = await storage.readStream(streamId, { limit: 0 });
        const all = await storage.readAll({ limit: 0 });

        // Then
        expect(stream).toEqual([]);
        expect(all).toEqual([]);
      });
    });

    describe('when many writers append to one stream at once', () => {
      it('should keep versions contiguous under 50 concurrent writers with retries', async () => {
        // Given
        const streamId = newStreamId();
        const writers = 50;
        const appendsPerWriter = 2;
        const acknowledged: string[] = [];

        // When
        await Promise.all(
          range(1, writers).map(async () => {
            for (let i = 0; i < appendsPerWriter; i++) {
              const event = anEvent({ i });
              for (;;) {
                const version = await storage.streamVersion(streamId);
                try {
                  await storage.append(streamId, [event], version);
                  acknowledged.push(event.eventId);
                  break;
                } catch (error) {
                  if (!isCelloError(error, ConcurrencyError.code)) throw error;
                }
              }
            }
          }),
        );

        // Then
        const read = await readWholeStream(storage, streamId);
        expect(read.map((e) => e.version)).toEqual(range(1, writers * appendsPerWriter));
        expect(new Set(read.map((e) => e.eventId))).toEqual(new Set(acknowledged));
        expect(read).toHaveLength(acknowledged.length);
      });

      it('should let exactly one of 50 writers expecting the same version win', async () => {
        // Given
        const streamId = newStreamId();
        await storage.append(streamId, [anEvent({})], 'no_stream');

        // When
        const outcomes = await Promise.allSettled(
          range(1, 50).map(() => storage.append(streamId, [anEvent({}), anEvent({})], 1)),
        );

        // Then
        const won = outcomes.filter((o) => o.status === 'fulfilled');
        const lost = outcomes.filter((o) => o.status === 'rejected');
        expect(won).toHaveLength(1);
        for (const outcome of lost) {
          expect(isCelloError(outcome.reason, ConcurrencyError.code)).toBe(true);
        }
        const read = await storage.readStream(streamId);
        expect(read.map((e) => e.version)).toEqual([1, 2, 3]);
      });

      it('should store every event of 50 writers appending with any', async () => {
        // Given
        const streamId = newStreamId();

        // When
        const results = await Promise.all(
          range(1, 50).map(() => storage.append(streamId, [anEvent({}), anEvent({})], 'any')),
        );

        // Then
        const read = await readWholeStream(storage, streamId);
        expect(read.map((e) => e.version)).toEqual(range(1, 100));
        const positions = results.flatMap((r) => r.positions).sort((a, b) => a - b);
        expect(read.map((e) => e.position).sort((a, b) => a - b)).toEqual(positions);
        // each append's two events are adjacent in the stream: appends do not interleave
        for (const result of results) {
          expect(result.streamVersion % 2).toBe(0);
        }
      });
    });

    describe('when the same append is sent again', () => {
      it('should store nothing twice and return the first write', async () => {
        // Given
        const streamId = newStreamId();
        const events = anEvents(3);
        const first = await storage.append(streamId, events, 'no_stream');

        // When the client re-sends after a timeout, with the same expectation
        const again = await storage.append(streamId, events, 'no_stream');

        // Then
        expect(again.duplicate).toBe(true);
        expect(again.positions).toEqual(first.positions);
        expect(again.streamVersion).toBe(first.streamVersion);
        expect(await storage.readStream(streamId)).toHaveLength(3);
        expect(await storage.streamVersion(streamId)).toBe(3);
      });

      it('should return the first write after later appends to the stream', async () => {
        // Given
        const streamId = newStreamId();
        const events = anEvents(2);
        const first = await storage.append(streamId, events, 0);
        await storage.append(streamId, anEvents(2), 2);

        // When
        const again = await storage.append(streamId, events, 0);

        // Then
        expect(again).toEqual({ duplicate: true, positions: first.positions, streamVersion: 2 });
        expect(await storage.streamVersion(streamId)).toBe(4);
      });

      it('should store nothing twice when 10 re-sends race', async () => {
        // Given
        const streamId = newStreamId();
        const events = anEvents(2);

        // When
        const results = await Promise.allSettled(
          range(1, 10).map(() => storage.append(streamId, events, 'any')),
        );

        // Then
        expect(await storage.readStream(streamId)).toHaveLength(2);
        const fulfilled = results.filter((r) => r.status === 'fulfilled');
        expect(fulfilled.length).toBeGreaterThan(0);
        expect(fulfilled.filter((r) => !r.value.duplicate)).toHaveLength(1);
      });
    });

    describe('when an append cannot be stored whole', () => {
      it('should write none of its events when two of them share an id', async () => {
        // Given
        const streamId = newStreamId();
        await storage.append(streamId, [anEvent({})], 'no_stream');
        const first = anEvent({ a: 1 });
        const clash = { ...anEvent({ a: 2 }), eventId: first.eventId };

        // When
        const outcome = await storage.append(streamId, [anEvent({}), first, clash], 1).then(
          () => 'stored',
          () => 'rejected',
        );

        // Then
        expect(outcome).toBe('rejected');
        expect(await storage.streamVersion(streamId)).toBe(1);
        expect(await storage.readStream(streamId)).toHaveLength(1);
      });

      it.each([
        ['an escaped NUL', '{"note":"a\\u0000b"}'],
        ['an escaped lone surrogate', '{"customer_id":"\\ud800x"}'],
        ['a raw lone surrogate', '{"customer_id":"\ud800x"}'],
      ])(
        'should refuse a payload holding %s as invalid input, like every backend, and write nothing',
        async (_, data) => {
          // Given
          const streamId = newStreamId();
          const bad = { ...anEvent({}), data };
          // When
          const error = await storage.append(streamId, [anEvent({}), bad], 'no_stream').then(
            () => undefined,
            (e: unknown) => e,
          );
          // Then
          expect(isCelloError(error, InvalidAppendError.code)).toBe(true);
          expect((error as Error).message).toContain('event #2 data');
          expect(await storage.streamVersion(streamId)).toBe(0);
        },
      );

      it('should keep escaped surrogate pairs and an escaped backslash before u0000', async () => {
        // Given
        const streamId = newStreamId();
        const data = '{"emoji":"\\ud83c\\udf89","path":"C:\\\\u0000"}';
        // When
        await storage.append(streamId, [{ ...anEvent({}), data }], 'no_stream');
        // Then
        const [stored] = await storage.readStream(streamId);
        expect(stored.data).toEqual({ emoji: '🎉', path: 'C:\\u0000' });
      });

      it('should store one of two racing appends whole, never a mix', async () => {
        // Given
        const streamId = newStreamId();
        const left = anEvents(3);
        const right = anEvents(3);

        // When
        await Promise.allSettled([
          storage.append(streamId, left, 'no_stream'),
          storage.append(streamId, right, 'no_stream'),
        ]);

        // Then
        const ids = (await storage.readStream(streamId)).map((e) => e.eventId);
        const winner = ids[0] === left[0].eventId ? left : right;
        expect(ids).toEqual(winner.map((e) => e.eventId));
      });
    });

    describe('when the global log is read', () => {
      it('should return events of all streams in append order with increasing positions', async () => {
        // Given
        const head = await storage.headPosition();
        const a = newStreamId();
        const b = newStreamId();
        const appended: string[] = [];
        for (const [stream, n] of [
          [a, 2],
          [b, 1],
          [a, 3],
          [b, 2],
        ] as const) {
          const events = anEvents(n);
          await storage.append(stream, events, 'any');
          appended.push(...events.map((e) => e.eventId));
        }

        // When
        const read = await readAllFrom(storage, head + 1);

        // Then
        const ours = read.filter((e) => e.streamId === a || e.streamId === b);
        expect(ours.map((e) => e.eventId)).toEqual(appended);
        expectIncreasing(read.map((e) => e.position));
        expect(read[0].position).toBeGreaterThan(head);
      });

      it('should page with fromPosition and limit without losing or repeating events', async () => {
        // Given
        const head = await storage.headPosition();
        const streamId = newStreamId();
        await storage.append(streamId, anEvents(17), 'no_stream');

        // When
        const pages: StoredEvent[][] = [];
        for (let from = head + 1; ;) {
          const page = await storage.readAll({ fromPosition: from, limit: 5 });
          if (page.length === 0) break;
          expect(page.length).toBeLessThanOrEqual(5);
          pages.push(page);
          from = page[page.length - 1].position + 1;
        }

        // Then
        const all = pages.flat().filter((e) => e.streamId === streamId);
        expect(all.map((e) => e.version)).toEqual(range(1, 17));
        expectIncreasing(pages.flat().map((e) => e.position));
      });

      it('should report the head position as the position of the last event', async () => {
        // Given
        const streamId = newStreamId();

        // When
        const result = await storage.append(streamId, anEvents(3), 'no_stream');

        // Then
        const head = await storage.headPosition();
        expect(head).toBeGreaterThanOrEqual(result.positions[2]);
        const beyond = await storage.readAll({ fromPosition: head + 1 });
        expect(beyond).toEqual([]);
        const last = await storage.readAll({ fromPosition: result.positions[2] });
        expect(last[0].eventId).toBe((await storage.readStream(streamId))[2].eventId);
      });

      it('should return nothing past the end', async () => {
        // Given
        const head = await storage.headPosition();

        // When
        const read = await storage.readAll({ fromPosition: head + 1000 });

        // Then
        expect(read).toEqual([]);
      });
    });

    describe('when the log is browsed backwards (readBackward, where the backend has it)', () => {
      /** 30 events of one stream, types A, B, C in turn; resolves with their positions. */
      async function given30(): Promise<{ streamId: string; positions: readonly number[] }> {
        const streamId = newStreamId();
        const events = range(1, 30).map((n) => ({ ...anEvent({ n }), type: 'ABC'[(n - 1) % 3] }));
        const result = await storage.append(streamId, events, 'no_stream');
        return { streamId, positions: result.positions };
      }

      it('should return the newest events first, within the positions and limit asked', async () => {
        if (!storage.readBackward) return expect(storage.readBackward).toBeUndefined();
        // Given
        const { positions } = await given30();

        // When
        const read = await storage.readBackward({
          toPosition: positions[19],
          fromPosition: positions[10],
          limit: 5,
        });
        const wide = await storage.readBackward({
          toPosition: positions[29],
          fromPosition: positions[25],
          limit: 100,
        });

        // Then
        expect(read.map((e) => e.position)).toEqual(positions.slice(15, 20).reverse());
        expect(read[0]).toMatchObject({ version: 20, type: 'B', data: { n: 20 } });
        expect(wide.map((e) => e.position)).toEqual(positions.slice(25, 30).reverse());
      });

      it('should return only events of the types asked, reading past the others', async () => {
        if (!storage.readBackward) return expect(storage.readBackward).toBeUndefined();
        // Given
        const { positions } = await given30();

        // When
        const cs = await storage.readBackward({
          toPosition: positions[29],
          fromPosition: positions[0],
          types: ['C'],
          limit: 4,
        });
        const ab = await storage.readBackward({
          toPosition: positions[5],
          fromPosition: positions[0],
          types: ['A', 'B'],
          limit: 100,
        });
        const none = await storage.readBackward({
          toPosition: positions[29],
          fromPosition: positions[0],
          types: ['Nothing'],
          limit: 10,
        });

        // Then
        expect(cs.map((e) => e.data)).toEqual([{ n: 30 }, { n: 27 }, { n: 24 }, { n: 21 }]);
        expect(ab.map((e) => e.type)).toEqual(['B', 'A', 'B', 'A']);
        expect(none).toEqual([]);
      });

      it('should refuse malformed options with invalid-read-options', async () => {
        if (!storage.readBackward) return expect(storage.readBackward).toBeUndefined();
        for (const options of [
          { toPosition: -1, limit: 1 },
          { toPosition: 1.5, limit: 1 },
          { toPosition: 10, fromPosition: Number.NaN, limit: 1 },
          { toPosition: 10, limit: -3 },
          { toPosition: 10, limit: 1, types: 'A' as unknown as string[] },
        ]) {
          await expect(storage.readBackward(options)).rejects.toMatchObject({
            code: 'invalid-read-options',
          });
        }
      });
    });

    describe('when snapshots are saved', () => {
      it('should load the newest one, replacing the older', async () => {
        // Given
        const streamId = newStreamId();
        await storage.saveSnapshot(aSnapshot(streamId, 'Order', 5, 'five'));

        // When
        await storage.saveSnapshot(aSnapshot(streamId, 'Order', 10, 'ten'));

        // Then
        const loaded = await storage.loadSnapshot(streamId, 'Order');
        expect(loaded).toMatchObject({ streamId, aggregateType: 'Order', version: 10 });
        expect(loaded?.state.toString()).toBe('ten');
        expect(loaded?.createdAt).toBeInstanceOf(Date);
      });

      it('should keep the schema version and binary state exactly', async () => {
        // Given
        const streamId = newStreamId();
        const state = Buffer.from([0, 255, 1, 254, 0, 0, 128]);

        // When
        await storage.saveSnapshot({
          ...aSnapshot(streamId, 'Order', 3, ''),
          state,
          schemaVersion: 4,
        });

        // Then
        const loaded = await storage.loadSnapshot(streamId, 'Order');
        expect(loaded?.schemaVersion).toBe(4);
        expect(Buffer.compare(loaded!.state, state)).toBe(0);
      });

      it('should keep snapshots of different aggregate types apart', async () => {
        // Given
        const streamId = newStreamId();
        await storage.saveSnapshot(aSnapshot(streamId, 'Order', 2, 'order'));

        // When
        await storage.saveSnapshot(aSnapshot(streamId, 'Invoice', 7, 'invoice'));

        // Then
        expect((await storage.loadSnapshot(streamId, 'Order'))?.state.toString()).toBe('order');
        expect((await storage.loadSnapshot(streamId, 'Invoice'))?.version).toBe(7);
        expect(await storage.loadSnapshot(newStreamId(), 'Order')).toBeUndefined();
      });
    });

    describe('when processors take leases', () => {
      it('should give a free lease to the first owner only', async () => {
        // Given
        const processor = newProcessor();
        const first = await storage.acquireLease(processor, 'instance-a', 10_000);

        // When
        const second = await storage.acquireLease(processor, 'instance-b', 10_000);

        // Then
        expect(first).toMatchObject({ processor, owner: 'instance-a', checkpoint: 0 });
        expect(first?.expiresAt).toBeInstanceOf(Date);
        expect(second).toBeUndefined();
      });

      it('should let only one of many racing owners take a free lease', async () => {
        // Given
        const processor = newProcessor();

        // When
        const leases = await Promise.all(
          range(1, 10).map((i) => storage.acquireLease(processor, `instance-${i}`, 10_000)),
        );

        // Then
        expect(leases.filter((l) => l !== undefined)).toHaveLength(1);
      });

      it('should give the lease again to its holder without a new fencing token', async () => {
        // Given
        const processor = newProcessor();
        const first = await storage.acquireLease(processor, 'instance-a', 10_000);

        // When
        const again = await storage.acquireLease(processor, 'instance-a', 10_000);

        // Then
        expect(again?.fencingToken).toBe(first?.fencingToken);
      });

      it('should renew a held lease', async () => {
        // Given
        const processor = newProcessor();
        const lease = (await storage.acquireLease(processor, 'instance-a', 10_000))!;

        // When
        const renewed = await storage.renewLease(lease, 10_000);

        // Then
        expect(renewed).toMatchObject({ owner: 'instance-a', fencingToken: lease.fencingToken });
        expect(renewed!.expiresAt.getTime()).toBeGreaterThanOrEqual(lease.expiresAt.getTime());
      });

      it('should let another owner take over an expired lease with a higher fencing token', async () => {
        // Given
        const processor = newProcessor();
        const old = (await storage.acquireLease(processor, 'instance-a', 150))!;
        await storage.storeCheckpoint(old, 7);
        await sleep(400);

        // When
        const taken = await storage.acquireLease(processor, 'instance-b', 10_000);

        // Then
        expect(taken).toMatchObject({ owner: 'instance-b', checkpoint: 7 });
        expect(taken!.fencingToken).toBeGreaterThan(old.fencingToken);
        expect(await storage.renewLease(old, 10_000)).toBeUndefined();
        expect(await storage.acquireLease(processor, 'instance-a', 10_000)).toBeUndefined();
      });

      it('should refuse a checkpoint from an owner that lost the lease (fencing)', async () => {
        // Given
        const processor = newProcessor();
        const old = (await storage.acquireLease(processor, 'instance-a', 150))!;
        expect(await storage.storeCheckpoint(old, 3)).toBe(true);
        await sleep(400);
        const current = (await storage.acquireLease(processor, 'instance-b', 10_000))!;
        expect(await storage.storeCheckpoint(current, 5)).toBe(true);

        // When the paused old owner wakes up and writes
        const written = await storage.storeCheckpoint(old, 99);

        // Then
        expect(written).toBe(false);
        await storage.releaseLease(current);
        const next = await storage.acquireLease(processor, 'instance-c', 10_000);
        expect(next?.checkpoint).toBe(5);
      });

      it('should hand a released lease to another owner at once, with its checkpoint', async () => {
        // Given
        const processor = newProcessor();
        const lease = (await storage.acquireLease(processor, 'instance-a', 10_000))!;
        await storage.storeCheckpoint(lease, 12);

        // When
        await storage.releaseLease(lease);
        const taken = await storage.acquireLease(processor, 'instance-b', 10_000);

        // Then
        expect(taken).toMatchObject({ owner: 'instance-b', checkpoint: 12 });
        expect(taken!.fencingToken).toBeGreaterThan(lease.fencingToken);
      });

      it('should move a checkpoint back on reset', async () => {
        // Given
        const processor = newProcessor();
        const lease = (await storage.acquireLease(processor, 'instance-a', 10_000))!;
        await storage.storeCheckpoint(lease, 40);
        await storage.releaseLease(lease);

        // When
        await storage.resetCheckpoint(processor, 0);

        // Then
        const again = await storage.acquireLease(processor, 'instance-a', 10_000);
        expect(again?.checkpoint).toBe(0);
      });

      it('should tell a processor that never checkpointed from one reset to the beginning', async () => {
        // Given a processor never run, one that stored 0, and one reset to 0 before it ever ran
        const fresh = newProcessor();
        const storedZero = newProcessor();
        const resetFirst = newProcessor();
        const lease = (await storage.acquireLease(storedZero, 'instance-a', 10_000))!;
        expect(await storage.storeCheckpoint(lease, 0)).toBe(true);
        await storage.releaseLease(lease);
        await storage.resetCheckpoint(resetFirst, 0);

        // When
        const leases = await Promise.all(
          [fresh, storedZero, resetFirst].map((p) => storage.acquireLease(p, 'instance-b', 10_000)),
        );

        // Then only the fresh one has no checkpoint; all read as 0
        expect(leases.map((l) => [l?.checkpoint, l?.hasCheckpoint])).toEqual([
          [0, false],
          [0, true],
          [0, true],
        ]);
        expect(await storage.readCheckpoint(fresh)).toBe(0);
        expect(await storage.readCheckpoint(resetFirst)).toBe(0);
      });

      it('should count a checkpoint moved back to 0 as a checkpoint', async () => {
        // Given
        const processor = newProcessor();
        const lease = (await storage.acquireLease(processor, 'instance-a', 10_000))!;
        expect(lease.hasCheckpoint).toBe(false);
        await storage.storeCheckpoint(lease, 40);

        // When
        await storage.resetCheckpoint(processor, 0);

        // Then
        const again = await storage.acquireLease(processor, 'instance-a', 10_000);
        expect(again).toMatchObject({ checkpoint: 0, hasCheckpoint: true });
      });

      it('should let any instance read a processor checkpoint', async () => {
        // Given
        const processor = newProcessor();
        const lease = (await storage.acquireLease(processor, 'instance-a', 10_000))!;
        await storage.storeCheckpoint(lease, 17);

        // When
        const seen = await storage.readCheckpoint(processor);

        // Then
        expect(seen).toBe(17);
        expect(await storage.readCheckpoint(newProcessor())).toBe(0);
      });

      it('should fence off the running holder when its checkpoint is reset', async () => {
        // Given
        const processor = newProcessor();
        const lease = (await storage.acquireLease(processor, 'instance-a', 10_000))!;
        await storage.storeCheckpoint(lease, 40);

        // When
        await storage.resetCheckpoint(processor, 0);

        // Then
        expect(await storage.storeCheckpoint(lease, 41)).toBe(false);
        expect(await storage.readCheckpoint(processor)).toBe(0);
        const again = await storage.acquireLease(processor, 'instance-a', 10_000);
        expect(again?.checkpoint).toBe(0);
        expect(again!.fencingToken).toBeGreaterThan(lease.fencingToken);
      });

      it('should keep leases of different processors independent', async () => {
        // Given
        const one = newProcessor();
        const two = newProcessor();
        await storage.acquireLease(one, 'instance-a', 10_000);

        // When
        const other = await storage.acquireLease(two, 'instance-b', 10_000);

        // Then
        expect(other?.owner).toBe('instance-b');
      });
    });

    describe('when events are parked', () => {
      it('should list them per processor, oldest first, with the error, and remove them', async () => {
        // Given
        const streamId = newStreamId();
        await storage.append(streamId, anEvents(2), 'no_stream');
        const [e1, e2] = await storage.readStream(streamId);
        const processor = newProcessor();
        const other = newProcessor();

        // When
        await storage.parkEvent(processor, e1, 'Error: boom', 5);
        await storage.parkEvent(other, e1, 'Error: other', 2);
        await storage.parkEvent(processor, e2, 'Error: bang', 3);

        // Then
        const parked = await storage.listParked(processor);
        expect(parked).toHaveLength(2);
        expect(parked[0]).toMatchObject({
          processor,
          position: e1.position,
          eventId: e1.eventId,
          streamId,
          type: e1.type,
          error: 'Error: boom',
          attempts: 5,
        });
        expect(parked[0].parkedAt).toBeInstanceOf(Date);
        expect(parked[1]).toMatchObject({ position: e2.position, error: 'Error: bang' });
        const all = await storage.listParked();
        expect(all.filter((p) => p.processor === processor || p.processor === other)).toHaveLength(
          3,
        );

        await storage.removeParked(parked[0].id);
        expect((await storage.listParked(processor)).map((p) => p.eventId)).toEqual([e2.eventId]);
      });
    });

    describe('when events are appended and a listener waits', () => {
      it('should wake the listener', async () => {
        // Given
        let wake!: () => void;
        const woken = new Promise<void>((resolve) => (wake = resolve));
        const unsubscribe = storage.onAppended(() => wake());

        // When
        await storage.append(newStreamId(), [anEvent({})], 'any');

        // Then
        await expect(woken).resolves.toBeUndefined();
        unsubscribe();
      });
    });

    describe('when the storage is reachable', () => {
      it('should answer a ping', async () => {
        await expect(storage.ping()).resolves.toBeUndefined();
      });
    });
  });
}

/** The facade over the storage under test, with no event classes registered. */
function eventStoreOver(storage: EventStorage): EventStore {
  const registry = new EventRegistry();
  return new EventStore(storage, new EventSerializer(registry, {}), registry, {});
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => new Error('expected a rejection, but the call resolved'),
    (error: unknown) => error,
  );
}

function newStreamId(): string {
  return `contract-${randomUUID()}`;
}

function newProcessor(): string {
  return `processor-${randomUUID()}`;
}

function anEvent(
  data: Record<string, unknown>,
  metadata: Record<string, unknown> = {},
  schemaVersion = 1,
): EventToAppend {
  return {
    eventId: randomUUID(),
    type: 'ContractTested',
    schemaVersion,
    data: JSON.stringify(data),
    metadata: JSON.stringify(metadata),
  };
}

function anEvents(count: number): EventToAppend[] {
  return range(1, count).map((n) => anEvent({ n }));
}

function aSnapshot(streamId: string, aggregateType: string, version: number, state: string) {
  return {
    streamId,
    aggregateType,
    version,
    schemaVersion: 1,
    state: Buffer.from(state),
    createdAt: new Date(),
  };
}

function range(from: number, to: number): number[] {
  return Array.from({ length: Math.max(0, to - from + 1) }, (_, i) => from + i);
}

function expectIncreasing(positions: number[]): void {
  for (let i = 1; i < positions.length; i++) {
    expect(positions[i]).toBeGreaterThan(positions[i - 1]);
  }
}

async function readAllFrom(storage: EventStorage, fromPosition: number): Promise<StoredEvent[]> {
  const events: StoredEvent[] = [];
  for (let from = fromPosition; ;) {
    const page = await storage.readAll({ fromPosition: from, limit: 1000 });
    if (page.length === 0) return events;
    events.push(...page);
    from = page[page.length - 1].position + 1;
  }
}

async function readWholeStream(storage: EventStorage, streamId: string): Promise<StoredEvent[]> {
  const events: StoredEvent[] = [];
  for (let from = 1; ;) {
    const page = await storage.readStream(streamId, { fromVersion: from, limit: 1000 });
    if (page.length === 0) return events;
    events.push(...page);
    from = page[page.length - 1].version + 1;
  }
}

/**
 * What `EventStore.load` reads: the storage's `replayStream` when it has one,
 * else `readStream` page by page reduced to the same fields. Resolves to the
 * events delivered; `onEvent` sees each one first and may throw.
 */
async function replay(
  storage: EventStorage,
  streamId: string,
  options: ReplayStreamOptions = {},
  onEvent: (event: ReplayedEvent) => void = () => undefined,
): Promise<ReplayedEvent[]> {
  const delivered: ReplayedEvent[] = [];
  const deliver = (event: ReplayedEvent) => {
    onEvent(event);
    delivered.push(event);
  };
  if (storage.replayStream) {
    await storage.replayStream(streamId, options, deliver);
    return delivered;
  }
  const pageSize = options.pageSize ?? 1000;
  for (let from = options.fromVersion ?? 1; ;) {
    const page = await storage.readStream(streamId, { fromVersion: from, limit: pageSize });
    for (const event of page)
      deliver({ ...event, datePaths: event.metadata[DATE_PATHS_METADATA_KEY] });
    if (page.length < pageSize) return delivered;
    from = page[page.length - 1].version + 1;
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
