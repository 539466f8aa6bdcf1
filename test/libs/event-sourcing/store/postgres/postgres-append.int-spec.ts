import { randomUUID } from 'node:crypto';
import { isCelloError } from '@cello/core';
import { Client } from 'pg';
import { usePostgresDatabase } from '../../../../support/postgres-database';
import { ConcurrencyError } from '@cello/event-sourcing/errors/concurrency.error';
import { EventIdConflictError } from '@cello/event-sourcing/errors/event-id-conflict.error';
import { InvalidAppendError } from '@cello/event-sourcing/errors/invalid-append.error';
import type { AppendResult, EventToAppend } from '@cello/event-sourcing/store/event-storage';
import { PostgresEventStorage } from '@cello/event-sourcing/store/postgres/postgres-event-storage';

describe('PostgresEventStorage appends', () => {
  const db = usePostgresDatabase();
  let storage: PostgresEventStorage;

  beforeEach(async () => {
    storage = PostgresEventStorage.fromUrl(db.url, { poolSize: 4 });
    await storage.init();
  });

  afterEach(async () => {
    await storage.close();
  });

  async function countRows(streamId: string): Promise<number> {
    const client = new Client({ connectionString: db.url });
    await client.connect();
    try {
      const result = await client.query<{ count: string }>(
        `SELECT count(*) FROM ${storage.tables.events} WHERE stream_id = $1`,
        [streamId],
      );
      return Number(result.rows[0].count);
    } finally {
      await client.end();
    }
  }

  describe('when an append is malformed', () => {
    it('should refuse one append that repeats an event id (in another case), writing nothing', async () => {
      // Given
      const streamId = newStream();
      const first = anEvent();
      const again = { ...anEvent(), eventId: first.eventId.toUpperCase() };

      // When
      const error = await storage.append(streamId, [first, again], 'any').catch((e: unknown) => e);

      // Then
      expect(isCelloError(error, InvalidAppendError.code)).toBe(true);
      expect((error as Error).message).toContain(`event #2 repeats event id ${again.eventId}`);
      expect(await countRows(streamId)).toBe(0);
    });

    it('should refuse a single event whose id is not a UUID or whose data holds a NUL', async () => {
      // Given
      const streamId = newStream();
      const notUuid = { ...anEvent(), eventId: 'not-a-uuid' };
      const nul = { ...anEvent(), data: JSON.stringify({ note: 'a\u0000b' }) };

      // When
      const errors = await Promise.all(
        [notUuid, nul].map((event) =>
          storage.append(streamId, [event], 'any').catch((e: unknown) => e),
        ),
      );

      // Then
      expect(errors.map((error) => isCelloError(error, InvalidAppendError.code))).toEqual([
        true,
        true,
      ]);
      expect((errors[0] as Error).message).toContain(
        'event #1 has event id not-a-uuid, not a UUID',
      );
      expect((errors[1] as Error).message).toMatch(/event #1 data: .*NUL/);
      expect(await countRows(streamId)).toBe(0);
    });
  });

  describe('when the expected version does not hold', () => {
    it('should throw a ConcurrencyError naming stream, expected and actual, and write nothing', async () => {
      // Given
      const streamId = newStream();
      await storage.append(streamId, [anEvent(), anEvent()], 'no_stream');

      // When
      const error = await storage.append(streamId, [anEvent()], 1).catch((e: unknown) => e);

      // Then
      expect(error).toBeInstanceOf(ConcurrencyError);
      expect(error).toMatchObject({ streamId, expected: 1, actual: 2 });
      expect(isCelloError(error, ConcurrencyError.code)).toBe(true);
      expect(await countRows(streamId)).toBe(2);
      expect(await storage.streamVersion(streamId)).toBe(2);
    });
  });

  describe('when 50 writers append to one stream with expected versions and retries', () => {
    it('should store exactly one event per writer with contiguous versions', async () => {
      // Given
      const streamId = newStream();
      let conflicts = 0;

      // When
      await Promise.all(
        Array.from({ length: 50 }, async (_, writer) => {
          for (;;) {
            const version = await storage.streamVersion(streamId);
            try {
              return await storage.append(streamId, [anEvent({ writer })], version);
            } catch (error) {
              if (!(error instanceof ConcurrencyError)) throw error;
              conflicts += 1;
            }
          }
        }),
      );

      // Then
      const events = await storage.readStream(streamId);
      expect(events).toHaveLength(50);
      expect(events.map((e) => e.version)).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
      expect(new Set(events.map((e) => (e.data as { writer: number }).writer)).size).toBe(50);
      expect(conflicts).toBeGreaterThan(0);
    });
  });

  describe('when many appenders write to their own streams at once', () => {
    it('should coalesce them into fewer statements, each append with its own outcome', async () => {
      // Given
      const before = storage.appendStats;
      const streams = Array.from({ length: 64 }, () => newStream());

      // When
      const results = await Promise.all(
        streams.map((streamId) => storage.append(streamId, [anEvent(), anEvent()], 'no_stream')),
      );

      // Then
      const after = storage.appendStats;
      expect(after.appends - before.appends).toBe(64);
      expect(after.statements - before.statements).toBeLessThan(64);
      for (const [index, result] of results.entries()) {
        expect(result.streamVersion).toBe(2);
        expect(result.duplicate).toBe(false);
        const read = await storage.readStream(streams[index]);
        expect(read.map((e) => e.position)).toEqual(result.positions);
      }
      const all = results.flatMap((r) => r.positions);
      expect(new Set(all).size).toBe(128);
    });
  });

  describe('when one append of a coalesced batch conflicts', () => {
    it('should fail only that append and store the others', async () => {
      // Given
      const taken = newStream();
      await storage.append(taken, [anEvent()], 'no_stream');
      const free = [newStream(), newStream()];

      // When all three leave in one statement
      const before = storage.appendStats.statements;
      const outcomes = await Promise.allSettled([
        storage.append(free[0], [anEvent()], 'no_stream'),
        storage.append(taken, [anEvent(), anEvent()], 'no_stream'),
        storage.append(free[1], [anEvent()], 'no_stream'),
      ]);

      // Then
      expect(storage.appendStats.statements - before).toBe(1);
      expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
      expect((outcomes[1] as PromiseRejectedResult).reason).toMatchObject({
        streamId: taken,
        expected: 'no_stream',
        actual: 1,
      });
      expect(await countRows(taken)).toBe(1);
      expect(await storage.streamVersion(free[0])).toBe(1);
      expect(await storage.streamVersion(free[1])).toBe(1);
    });

    it('should check several appends to one stream in order', async () => {
      // Given
      const streamId = newStream();

      // When three appends to the stream leave together
      const outcomes = await Promise.allSettled([
        storage.append(streamId, [anEvent()], 0),
        storage.append(streamId, [anEvent(), anEvent()], 1),
        storage.append(streamId, [anEvent()], 1),
      ]);

      // Then the first two chain, the third sees version 3
      expect(outcomes[0]).toMatchObject({ status: 'fulfilled', value: { streamVersion: 1 } });
      expect(outcomes[1]).toMatchObject({ status: 'fulfilled', value: { streamVersion: 3 } });
      expect((outcomes[2] as PromiseRejectedResult).reason).toMatchObject({ actual: 3 });
      expect((await storage.readStream(streamId)).map((e) => e.version)).toEqual([1, 2, 3]);
    });
  });

  describe('when poisoned appends travel in one batch with good ones', () => {
    it('should store every good append and refuse each poisoned one alone, as invalid input', async () => {
      // Given 60 good and 20 poisoned appends (JSON text the database refuses; the storage does not parse payloads), sent at once
      const streams = Array.from({ length: 80 }, () => newStream());
      const poisoned = (k: number) => k % 4 === 1;
      // When
      const outcomes = await Promise.allSettled(
        streams.map((streamId, k) =>
          storage.append(
            streamId,
            [poisoned(k) ? { ...anEvent(), data: '{"customer_id": ' } : anEvent({ k })],
            'no_stream',
          ),
        ),
      );
      // Then
      for (const [k, outcome] of outcomes.entries()) {
        if (poisoned(k)) {
          const reason = (outcome as PromiseRejectedResult).reason as unknown;
          expect(isCelloError(reason, InvalidAppendError.code)).toBe(true);
          expect(reason).toMatchObject({ streamId: streams[k] });
          expect(await storage.streamVersion(streams[k])).toBe(0);
        } else {
          expect(outcome).toMatchObject({ status: 'fulfilled', value: { streamVersion: 1 } });
        }
      }
    });
  });

  describe('when a coalesced batch leaves the fast path', () => {
    it('should decide each append as if alone and leave every stream version exact', async () => {
      // Given a stored append to re-send, and a stream at version 2
      const resent = newStream();
      const resentEvents = [anEvent(), anEvent()];
      const first = await storage.append(resent, resentEvents, 'no_stream');
      const existing = newStream();
      await storage.append(existing, [anEvent(), anEvent()], 'no_stream');
      const fresh = [newStream(), newStream(), newStream()];

      // When one statement carries new streams (bumped first, then undone), a
      // re-send, an append to a missing stream that must exist, and a met version
      const before = storage.appendStats.statements;
      const outcomes = await Promise.allSettled([
        storage.append(fresh[0], [anEvent(), anEvent()], 'no_stream'),
        storage.append(resent, resentEvents, 'any'),
        storage.append(fresh[1], [anEvent()], 'stream_exists'),
        storage.append(existing, [anEvent()], 2),
        storage.append(fresh[2], [anEvent()], 'any'),
      ]);

      // Then
      expect(storage.appendStats.statements - before).toBe(1);
      expect(outcomes[0]).toMatchObject({ status: 'fulfilled', value: { streamVersion: 2 } });
      expect(outcomes[1]).toMatchObject({
        status: 'fulfilled',
        value: { duplicate: true, streamVersion: 2, positions: first.positions },
      });
      expect((outcomes[2] as PromiseRejectedResult).reason).toBeInstanceOf(ConcurrencyError);
      expect(outcomes[3]).toMatchObject({ status: 'fulfilled', value: { streamVersion: 3 } });
      expect(outcomes[4]).toMatchObject({ status: 'fulfilled', value: { streamVersion: 1 } });
      expect((await storage.readStream(fresh[0])).map((e) => e.version)).toEqual([1, 2]);
      expect(await storage.streamVersion(resent)).toBe(2);
      expect(await countRows(resent)).toBe(2);
      expect(await storage.streamVersion(fresh[1])).toBe(0);
      expect(await countRows(fresh[1])).toBe(0);
      expect((await storage.readStream(existing)).map((e) => e.version)).toEqual([1, 2, 3]);
      expect(await storage.streamVersion(fresh[2])).toBe(1);
      // and the stored appends follow each other in the global log, in order
      const positions = [0, 3, 4].flatMap(
        (index) => (outcomes[index] as PromiseFulfilledResult<AppendResult>).value.positions,
      );
      expect(positions).toEqual(positions.map((_, index) => positions[0] + index));
    });
  });

  describe('when an append is sent again', () => {
    it('should return the first write, marked duplicate, even from a new instance', async () => {
      // Given
      const streamId = newStream();
      const events = [anEvent(), anEvent()];
      const first = await storage.append(streamId, events, 'no_stream');
      const restarted = PostgresEventStorage.fromUrl(db.url);
      await restarted.init();

      // When
      let again: AppendResult;
      try {
        again = await restarted.append(streamId, events, 'no_stream');
      } finally {
        await restarted.close();
      }

      // Then
      expect(again).toEqual({ ...first, duplicate: true });
      expect(await countRows(streamId)).toBe(2);
    });

    it('should reject an append that repeats only some stored ids, writing nothing', async () => {
      // Given
      const streamId = newStream();
      const stored = anEvent();
      await storage.append(streamId, [stored], 'no_stream');

      // When
      const error = await storage
        .append(streamId, [stored, anEvent()], 'any')
        .catch((e: unknown) => e);

      // Then
      expect(isCelloError(error, EventIdConflictError.code)).toBe(true);
      expect(await countRows(streamId)).toBe(1);
    });

    it('should reject an event id already stored in another stream', async () => {
      // Given
      const event = anEvent();
      await storage.append(newStream(), [event], 'no_stream');
      const other = newStream();

      // When
      const error = await storage.append(other, [event], 'any').catch((e: unknown) => e);

      // Then
      expect(isCelloError(error, EventIdConflictError.code)).toBe(true);
      expect(await countRows(other)).toBe(0);
    });
  });

  describe('when an append holds a bad event in the middle', () => {
    it('should store none of its events and still store the appends batched with it', async () => {
      // Given
      const bad = newStream();
      const good = newStream();
      const broken = { ...anEvent(), data: '{"unterminated": ' };

      // When both leave in one statement
      const outcomes = await Promise.allSettled([
        storage.append(bad, [anEvent(), broken, anEvent()], 'no_stream'),
        storage.append(good, [anEvent()], 'no_stream'),
      ]);

      // Then
      expect(outcomes[0].status).toBe('rejected');
      const reason = (outcomes[0] as PromiseRejectedResult).reason as InvalidAppendError;
      expect(isCelloError(reason, InvalidAppendError.code)).toBe(true);
      expect(reason.message).toContain(bad);
      expect(reason.message).toMatch(/json/i);
      expect(outcomes[1].status).toBe('fulfilled');
      expect(await countRows(bad)).toBe(0);
      expect(await storage.streamVersion(bad)).toBe(0);
      expect(await countRows(good)).toBe(1);
    });

    it('should refuse payloads that are JSON only when read together, writing nothing', async () => {
      // Given halves of one JSON value, as data and metadata and across two events
      const streamId = newStream();
      const halves = [
        { ...anEvent(), data: '{"a": ', metadata: '1}' },
        { ...anEvent(), data: '{"b": [1,', metadata: '{}' },
        { ...anEvent(), data: '2]}', metadata: '{}' },
      ];

      // When
      const error = await storage.append(streamId, halves, 'no_stream').catch((e: unknown) => e);

      // Then each payload was parsed on its own
      expect(isCelloError(error, InvalidAppendError.code)).toBe(true);
      expect(await countRows(streamId)).toBe(0);
    });

    it.each([
      ['an id that is not a UUID', { eventId: 'not-a-uuid' }, /not a UUID/],
      ['an empty type', { type: '' }, /type/],
      ['a schema version of 0', { schemaVersion: 0 }, /schema version/],
      ['data that is not text', { data: { a: 1 } as unknown as string }, /JSON text/],
    ])('should refuse %s before sending anything', async (_, override, message) => {
      // Given
      const streamId = newStream();
      const before = storage.appendStats.statements;

      // When
      const error = await storage
        .append(streamId, [anEvent(), { ...anEvent(), ...override }], 'any')
        .catch((e: unknown) => e);

      // Then
      expect(isCelloError(error, InvalidAppendError.code)).toBe(true);
      expect((error as Error).message).toMatch(message);
      expect(storage.appendStats.statements).toBe(before);
      expect(await countRows(streamId)).toBe(0);
    });

    it('should refuse an empty stream id and an invalid expected version', async () => {
      await expect(storage.append('', [anEvent()], 'any')).rejects.toBeInstanceOf(
        InvalidAppendError,
      );
      await expect(
        storage.append(newStream(), [anEvent()], -5 as unknown as number),
      ).rejects.toBeInstanceOf(InvalidAppendError);
      await expect(storage.append(newStream(), [], 'any')).rejects.toBeInstanceOf(
        InvalidAppendError,
      );
    });
  });

  describe('when payloads hold multi-byte characters, quotes and backslashes', () => {
    it('should store every payload of a coalesced batch exactly, in its own event', async () => {
      // Given three appends of three events each, leaving in one statement
      const texts = [
        'é',
        '漢字',
        '🎉 "quoted" \\ back\\slash',
        'plain',
        'ß∑€',
        '\n\t',
        '',
        'ascii',
        '🙂🙃',
      ];
      const streams = [newStream(), newStream(), newStream()];
      const appends = streams.map((streamId, a) =>
        Array.from({ length: 3 }, (_, k) => ({
          ...anEvent({ text: texts[a * 3 + k], n: a * 3 + k }),
          metadata: JSON.stringify({ note: texts[8 - (a * 3 + k)] }),
        })),
      );
      const statements = storage.appendStats.statements;

      // When
      await Promise.all(
        streams.map((streamId, a) => storage.append(streamId, appends[a], 'no_stream')),
      );

      // Then
      expect(storage.appendStats.statements - statements).toBe(1);
      for (const [a, streamId] of streams.entries()) {
        const stored = await storage.readStream(streamId);
        expect(stored.map((e) => e.data)).toEqual(appends[a].map((e) => JSON.parse(e.data)));
        expect(stored.map((e) => e.metadata)).toEqual(
          appends[a].map((e) => JSON.parse(e.metadata)),
        );
      }
    });

    it('should store them exactly when the batch takes the general path (a re-send among new appends)', async () => {
      // Given a stored append, sent again together with a new one
      const first = newStream();
      const resent = [anEvent({ text: '漢字 🎉' }), anEvent({ text: 'é' })];
      await storage.append(first, resent, 'no_stream');
      const second = newStream();
      const fresh = [
        anEvent({ text: '"∑" \\' }),
        { ...anEvent({ text: 'ß' }), metadata: '{"m":"€"}' },
      ];

      // When both leave in one statement
      const [again] = await Promise.all([
        storage.append(first, resent, 'no_stream'),
        storage.append(second, fresh, 'no_stream'),
      ]);

      // Then
      expect(again.duplicate).toBe(true);
      const stored = await storage.readStream(second);
      expect(stored.map((e) => e.data)).toEqual(fresh.map((e) => JSON.parse(e.data)));
      expect(stored[1].metadata).toEqual({ m: '€' });
    });
  });

  describe('when a stream is read', () => {
    it('should page with keyset reads and return numbers, not strings', async () => {
      // Given
      const streamId = newStream();
      await storage.append(
        streamId,
        Array.from({ length: 25 }, (_, n) => anEvent({ n })),
        'no_stream',
      );

      // When
      const page = await storage.readStream(streamId, { fromVersion: 11, limit: 10 });

      // Then
      expect(page.map((e) => e.version)).toEqual(Array.from({ length: 10 }, (_, i) => i + 11));
      expect(typeof page[0].position).toBe('number');
      expect(page[0].data).toEqual({ n: 10 });
    });
  });
});

function newStream(): string {
  return `append-${randomUUID()}`;
}

function anEvent(data: Record<string, unknown> = {}): EventToAppend {
  return {
    eventId: randomUUID(),
    type: 'AppendTested',
    schemaVersion: 1,
    data: JSON.stringify(data),
    metadata: '{}',
  };
}
