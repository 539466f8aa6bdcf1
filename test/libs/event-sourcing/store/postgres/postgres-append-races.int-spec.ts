import { randomUUID } from 'node:crypto';
import { isCelloError } from '@cello/core';
import { Client } from 'pg';
import { waitUntil } from '../../../../support/eventually';
import { usePostgresDatabase } from '../../../../support/postgres-database';
import { ConcurrencyError } from '@cello/event-sourcing/errors/concurrency.error';
import { InvalidAppendError } from '@cello/event-sourcing/errors/invalid-append.error';
import type { EventToAppend } from '@cello/event-sourcing/store/event-storage';
import { PostgresEventStorage } from '@cello/event-sourcing/store/postgres/postgres-event-storage';

/**
 * The append path without stream rows: the unique (stream_id, version) index
 * serialises a stream's writers, and races, re-sends and conflicts are decided
 * by the append function. Several instances, so that their statements race.
 */
describe('PostgresEventStorage appends racing on one stream', () => {
  const db = usePostgresDatabase();
  let instances: PostgresEventStorage[];
  let sql: Client;

  beforeEach(async () => {
    instances = Array.from({ length: 3 }, () =>
      PostgresEventStorage.fromUrl(db.url, { poolSize: 4 }),
    );
    await Promise.all(instances.map((storage) => storage.init()));
    sql = new Client({ connectionString: db.url });
    await sql.connect();
  });

  afterEach(async () => {
    await sql.end();
    await Promise.all(instances.map((storage) => storage.close()));
  });

  const newStream = (): string => `race-${randomUUID()}`;
  const anEvent = (data: unknown = {}): EventToAppend => ({
    eventId: randomUUID(),
    type: 'Raced',
    schemaVersion: 1,
    data: JSON.stringify(data),
    metadata: '{}',
  });

  async function versions(streamId: string): Promise<number[]> {
    const events = await instances[0].readStream(streamId);
    return events.map((event) => event.version);
  }

  async function maxPosition(): Promise<number> {
    const result = await sql.query<{ max: string | null }>(
      `SELECT max(position) AS max FROM ${instances[0].tables.events}`,
    );
    return Number(result.rows[0].max ?? 0);
  }

  describe('when many writers expect the same version at once', () => {
    it('should let exactly one win each version and keep versions contiguous', async () => {
      // Given one stream and 12 writers spread over three instances
      const streamId = newStream();
      const rounds = 8;

      for (let version = 0; version < rounds; version++) {
        // When all of them append expecting the current version
        const outcomes = await Promise.allSettled(
          Array.from({ length: 12 }, (_, writer) =>
            instances[writer % 3].append(streamId, [anEvent({ version, writer })], version),
          ),
        );

        // Then exactly one wins; the others get a ConcurrencyError naming the new version
        const won = outcomes.filter((outcome) => outcome.status === 'fulfilled');
        expect(won).toHaveLength(1);
        for (const outcome of outcomes) {
          if (outcome.status === 'rejected') {
            expect(isCelloError(outcome.reason, ConcurrencyError.code)).toBe(true);
          }
        }
      }
      expect(await versions(streamId)).toEqual(Array.from({ length: rounds }, (_, i) => i + 1));
      expect(await instances[2].streamVersion(streamId)).toBe(rounds);
    });

    it('should store every append of writers that retry, once each, in contiguous versions', async () => {
      // Given one stream; 9 writers over three instances, 6 appends each, expected version + retry
      const streamId = newStream();
      const written: string[] = [];

      // When
      await Promise.all(
        Array.from({ length: 9 }, async (_, writer) => {
          const storage = instances[writer % 3];
          for (let n = 0; n < 6; n++) {
            const event = anEvent({ writer, n });
            for (;;) {
              const version = await storage.streamVersion(streamId);
              try {
                const result = await storage.append(streamId, [event], version);
                expect(result.streamVersion).toBe(version + 1);
                written.push(event.eventId);
                break;
              } catch (error) {
                if (!isCelloError(error, ConcurrencyError.code)) throw error;
              }
            }
          }
        }),
      );

      // Then
      const stored = await instances[1].readStream(streamId);
      expect(stored.map((event) => event.version)).toEqual(
        Array.from({ length: 54 }, (_, i) => i + 1),
      );
      expect(new Set(stored.map((event) => event.eventId))).toEqual(new Set(written));
    });
  });

  describe("when many writers append with 'any' at once", () => {
    it('should store every append whole, in contiguous versions', async () => {
      // Given
      const streamId = newStream();

      // When 30 appends of two events each, from three instances
      const results = await Promise.all(
        Array.from({ length: 30 }, (_, writer) =>
          instances[writer % 3].append(streamId, [anEvent(), anEvent()], 'any'),
        ),
      );

      // Then every append got two adjacent versions, and together they are 1..60
      const stored = await instances[0].readStream(streamId);
      expect(stored.map((event) => event.version)).toEqual(
        Array.from({ length: 60 }, (_, i) => i + 1),
      );
      for (const result of results) {
        const mine = stored.filter((event) => result.positions.includes(event.position));
        expect(mine.map((event) => event.version)).toEqual([
          result.streamVersion - 1,
          result.streamVersion,
        ]);
      }
    });
  });

  describe('when an append is re-sent after it committed', () => {
    it.each([['any' as const], ['stream_exists' as const], [0]])(
      'should return the original positions as a duplicate (expected %p), burning no position',
      async (expected) => {
        // Given an append of two events, committed
        const streamId = newStream();
        const events = [anEvent(), anEvent()];
        const first = await instances[0].append(streamId, events, 'no_stream');
        const head = await maxPosition();

        // When another instance re-sends it
        const again = await instances[1].append(streamId, events, expected);

        // Then
        expect(again).toEqual({ ...first, duplicate: true });
        expect(await versions(streamId)).toEqual([1, 2]);
        const next = await instances[1].append(newStream(), [anEvent()], 'no_stream');
        expect(next.positions).toEqual([head + 1]);
      },
    );
  });

  describe('when a coalesced statement meets a writer of the same version in flight', () => {
    it('should decide again: that append conflicts, its neighbours are stored', async () => {
      // Given a transaction of another instance holding version 1 of a stream, uncommitted
      const contested = newStream();
      const free = [newStream(), newStream()];
      let commit!: () => void;
      const held = new Promise<void>((resolve) => (commit = resolve));
      let appendedInTransaction!: () => void;
      const inTransaction = new Promise<void>((resolve) => (appendedInTransaction = resolve));
      const transaction = instances[1].transaction(async (tx) => {
        await tx.append(contested, [anEvent()], 'no_stream');
        appendedInTransaction();
        await held;
      });
      await inTransaction;

      // When one statement carries the contested append between two others
      const outcomes = Promise.allSettled([
        instances[0].append(free[0], [anEvent()], 'no_stream'),
        instances[0].append(contested, [anEvent(), anEvent()], 'no_stream'),
        instances[0].append(free[1], [anEvent()], 'no_stream'),
      ]);
      // ...and it waits on the unique index for the transaction, which then commits
      await waitUntil('the statement waits for the transaction', async () => {
        const waiting = await sql.query(
          "SELECT 1 FROM pg_locks WHERE NOT granted AND locktype = 'transactionid'",
        );
        return waiting.rows.length > 0;
      });
      commit();
      await transaction;

      // Then
      const [first, second, third] = await outcomes;
      expect(first.status).toBe('fulfilled');
      expect(third.status).toBe('fulfilled');
      expect(second.status).toBe('rejected');
      expect(isCelloError((second as PromiseRejectedResult).reason, ConcurrencyError.code)).toBe(
        true,
      );
      expect(await versions(contested)).toEqual([1]);
      expect(await versions(free[0])).toEqual([1]);
      expect(await versions(free[1])).toEqual([1]);
    });
  });

  describe('when a later append to a stream of the batch is poisoned', () => {
    it('should store the first append and refuse only the poisoned one', async () => {
      // Given
      const streamId = newStream();
      const good = anEvent();
      const poisoned = { ...anEvent(), data: '{"unterminated' };

      // When both leave in one batch: the first by the happy path, the second decided after it
      const [first, second] = await Promise.allSettled([
        instances[0].append(streamId, [good], 'no_stream'),
        instances[0].append(streamId, [poisoned], 1),
      ]);

      // Then
      expect(first).toMatchObject({ status: 'fulfilled', value: { streamVersion: 1 } });
      expect(second.status).toBe('rejected');
      expect(isCelloError((second as PromiseRejectedResult).reason, InvalidAppendError.code)).toBe(
        true,
      );
      expect((await instances[0].readStream(streamId)).map((e) => e.eventId)).toEqual([
        good.eventId,
      ]);
    });
  });
});
