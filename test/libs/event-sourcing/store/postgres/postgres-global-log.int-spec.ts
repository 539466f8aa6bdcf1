import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { usePostgresDatabase } from '../../../../support/postgres-database';
import type { EventToAppend } from '@cello/event-sourcing/store/event-storage';
import { PostgresEventStorage } from '@cello/event-sourcing/store/postgres/postgres-event-storage';

describe('PostgresEventStorage global log', () => {
  const db = usePostgresDatabase();
  let storage: PostgresEventStorage;
  let other: Client;

  beforeEach(async () => {
    storage = PostgresEventStorage.fromUrl(db.url, { poolSize: 4 });
    await storage.init();
    other = new Client({ connectionString: db.url });
    await other.connect();
  });

  afterEach(async () => {
    await other.end();
    await storage.close();
  });

  /** Runs the append function on `client`, inside whatever transaction it has open. */
  async function appendOn(client: Client, streamId: string, event: EventToAppend): Promise<number> {
    const result = await client.query<{ positions: string[] }>(
      `SELECT positions FROM ${storage.tables.appendFunction}($1, $2, $3, $4, $5, $6, $7, $8)`,
      [
        [streamId],
        [-1],
        [1],
        [event.eventId],
        [event.type],
        [event.schemaVersion],
        [event.data],
        [event.metadata],
      ],
    );
    return Number(result.rows[0].positions[0]);
  }

  async function positionsFrom(from: number): Promise<number[]> {
    return (await storage.readAll({ fromPosition: from })).map((event) => event.position);
  }

  /** Reads from `from` until at least `count` events come back, or 20 seconds pass. */
  async function readUntil(from: number, count: number): Promise<number[]> {
    const deadline = Date.now() + 20_000;
    for (;;) {
      const read = await positionsFrom(from);
      if (read.length >= count || Date.now() > deadline) return read;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  describe('when a transaction holding a lower position commits after a higher one', () => {
    it('should stop before the gap, then return both in order after the commit', async () => {
      // Given a committed start, then a transaction that takes a position and stays open
      const start = (await storage.append(newStream(), [anEvent()], 'any')).positions[0];
      await other.query('BEGIN');
      const lower = await appendOn(other, newStream(), anEvent());

      // When a higher position commits meanwhile
      const higher = (await storage.append(newStream(), [anEvent()], 'any')).positions[0];
      expect(higher).toBeGreaterThan(lower);

      // Then the read stops before the gap, however often it is repeated
      for (let attempt = 0; attempt < 3; attempt++) {
        expect(await positionsFrom(start)).toEqual([start]);
      }
      expect(await storage.headPosition()).toBe(start);

      // When the lower one commits
      await other.query('COMMIT');

      // Then both are read, in order
      expect(await positionsFrom(start)).toEqual([start, lower, higher]);
      expect(await storage.headPosition()).toBe(higher);
    });

    it('should stop before the gap even when the open transaction got its id after the committed one', async () => {
      // Given: the committing transaction takes its transaction id first...
      const start = (await storage.append(newStream(), [anEvent()], 'any')).positions[0];
      const early = new Client({ connectionString: db.url });
      await early.connect();
      try {
        await early.query('BEGIN');
        await early.query('SELECT pg_current_xact_id()');
        // ...the open one gets a later id and the lower position...
        await other.query('BEGIN');
        const lower = await appendOn(other, newStream(), anEvent());
        // ...and the earlier transaction takes the higher position and commits.
        const higher = await appendOn(early, newStream(), anEvent());
        await early.query('COMMIT');

        // When the log is read repeatedly while the lower position is in flight
        const reads: number[][] = [];
        for (let attempt = 0; attempt < 4; attempt++) reads.push(await positionsFrom(start));

        // Then it never passes the gap (a rule on the first snapshot's xmax would)
        expect(reads).toEqual(Array.from({ length: 4 }, () => [start]));

        await other.query('COMMIT');
        expect(await positionsFrom(start)).toEqual([start, lower, higher]);
      } finally {
        await early.end();
      }
    });
  });

  describe('when a transaction holding a lower position rolls back', () => {
    it('should pass over the permanent gap once it is certain', async () => {
      // Given
      const start = (await storage.append(newStream(), [anEvent()], 'any')).positions[0];
      await other.query('BEGIN');
      const lost = await appendOn(other, newStream(), anEvent());
      const higher = (await storage.append(newStream(), [anEvent()], 'any')).positions[0];
      expect(await positionsFrom(start)).toEqual([start]);

      // When
      await other.query('ROLLBACK');

      // Then, once every transaction older than the marker has ended (any database of the
      // cluster counts, so other test files can delay it), the gap is passed over
      const read = await readUntil(start, 2);
      expect(read).toEqual([start, higher]);
      expect(read).not.toContain(lost);
      expect(await storage.headPosition()).toBe(higher);
    });

    it('should pass over a gap left by a failed append statement', async () => {
      // Given a position burned by a statement that failed after taking it
      const start = (await storage.append(newStream(), [anEvent()], 'any')).positions[0];
      await expect(
        appendOn(other, newStream(), { ...anEvent(), data: '{"broken": ' }),
      ).rejects.toThrow();
      const next = (await storage.append(newStream(), [anEvent()], 'any')).positions[0];

      // When
      const read = await readUntil(start, 2);

      // Then
      expect(read).toEqual([start, next]);
    });
  });

  describe('when a new instance reads a history with many rolled-back gaps', () => {
    it('should prove them all with one marker and read everything', async () => {
      // Given a history where every other position was rolled back
      const start = (await storage.append(newStream(), [anEvent()], 'any')).positions[0];
      const committed = [start];
      for (let n = 0; n < 6; n++) {
        await other.query('BEGIN');
        await appendOn(other, newStream(), anEvent());
        await other.query('ROLLBACK');
        committed.push((await storage.append(newStream(), [anEvent()], 'any')).positions[0]);
      }
      const fresh = PostgresEventStorage.fromUrl(db.url, { poolSize: 1 });
      await fresh.init();

      try {
        // When it pages through the log until it has everything
        const deadline = Date.now() + 20_000;
        let read: number[] = [];
        while (read.length < committed.length && Date.now() < deadline) {
          read = [];
          for (let from = start; ;) {
            const page = await fresh.readAll({ fromPosition: from, limit: 2 });
            if (page.length === 0) break;
            read.push(...page.map((e) => e.position));
            from = page[page.length - 1].position + 1;
          }
          await new Promise((resolve) => setTimeout(resolve, 50));
        }

        // Then
        expect(read).toEqual(committed);
        expect(fresh.globalLogStats.gapMarkers).toBe(1);
        expect(await fresh.headPosition()).toBe(committed[committed.length - 1]);
      } finally {
        await fresh.close();
      }
    });
  });

  describe('when the global log is paged while writers append concurrently', () => {
    it('should hand every committed event out exactly once, in order', async () => {
      // Given writers appending in the background, after a known position
      const from = (await storage.append(newStream(), [anEvent()], 'any')).positions[0] + 1;
      const acknowledged: number[] = [];
      let writing = true;
      const writers = Array.from({ length: 8 }, async () => {
        while (writing) {
          const result = await storage.append(newStream(), [anEvent(), anEvent()], 'any');
          acknowledged.push(...result.positions);
        }
      });

      // When a reader follows the log while they write
      const seen: number[] = [];
      const deadline = Date.now() + 1500;
      let cursor = from;
      while (Date.now() < deadline) {
        const page = await storage.readAll({ fromPosition: cursor, limit: 50 });
        for (const event of page) seen.push(event.position);
        if (page.length > 0) cursor = page[page.length - 1].position + 1;
      }
      writing = false;
      await Promise.all(writers);
      for (;;) {
        const page = await storage.readAll({ fromPosition: cursor, limit: 500 });
        if (page.length === 0) break;
        for (const event of page) seen.push(event.position);
        cursor = page[page.length - 1].position + 1;
      }

      // Then
      const expected = acknowledged.filter((p) => p >= from).sort((a, b) => a - b);
      expect(seen).toEqual(expected);
      expect(new Set(seen).size).toBe(seen.length);
    });
  });
});

function newStream(): string {
  return `log-${randomUUID()}`;
}

function anEvent(): EventToAppend {
  return {
    eventId: randomUUID(),
    type: 'LogTested',
    schemaVersion: 1,
    data: JSON.stringify({ at: Date.now() }),
    metadata: '{}',
  };
}
