import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { usePostgresDatabase } from '../../../../support/postgres-database';
import { EventStoreUnavailableError } from '@cello/event-sourcing/errors/event-store-unavailable.error';
import type { EventToAppend, ReplayedEvent } from '@cello/event-sourcing/store/event-storage';
import { PostgresEventStorage } from '@cello/event-sourcing/store/postgres/postgres-event-storage';

const POOL_SIZE = 4;

describe('PostgresEventStorage.replayStream', () => {
  const db = usePostgresDatabase();
  let storage: PostgresEventStorage;

  beforeEach(async () => {
    storage = PostgresEventStorage.fromUrl(db.url, { poolSize: POOL_SIZE });
    await storage.init();
  });

  afterEach(async () => {
    await storage.close();
  });

  async function fill(streamId: string, count: number): Promise<void> {
    for (let version = 0; version < count; version += 1000) {
      const size = Math.min(1000, count - version);
      const events = Array.from({ length: size }, (_, i) => anEvent(version + i + 1));
      await storage.append(streamId, events, version);
    }
  }

  async function replayVersions(streamId: string, fromVersion = 1): Promise<number[]> {
    const versions: number[] = [];
    await storage.replayStream(streamId, { fromVersion }, (event) => versions.push(event.version));
    return versions;
  }

  describe('when a long stream is replayed', () => {
    it('should deliver every row in version order with numbers, not strings', async () => {
      // Given
      const streamId = `replay-${randomUUID()}`;
      await fill(streamId, 5000);
      const delivered: ReplayedEvent[] = [];

      // When
      await storage.replayStream(streamId, { fromVersion: 4001 }, (event) => delivered.push(event));

      // Then
      expect(delivered).toHaveLength(1000);
      expect(delivered.map((event) => event.version)).toEqual(
        Array.from({ length: 1000 }, (_, i) => 4001 + i),
      );
      expect(typeof delivered[0].position).toBe('number');
      expect(delivered[0]).toMatchObject({ type: 'Replayed', schemaVersion: 1, data: { n: 4001 } });
    });
  });

  describe('when the event handler throws early in a long stream', () => {
    it('should reject with its error at once, deliver nothing after it, and leak no connection', async () => {
      // Given
      const streamId = `replay-${randomUUID()}`;
      await fill(streamId, 20_000);
      const failure = new Error('unknown event type');

      // When: more failed replays than the pool has connections
      const outcomes: { error: unknown; seen: number[] }[] = [];
      for (let attempt = 0; attempt < POOL_SIZE + 2; attempt++) {
        const seen: number[] = [];
        const error = await storage
          .replayStream(streamId, {}, (event) => {
            seen.push(event.version);
            if (event.version === 5) throw failure;
          })
          .catch((e: unknown) => e);
        outcomes.push({ error, seen });
      }

      // Then
      for (const outcome of outcomes) {
        expect(outcome.error).toBe(failure);
        expect(outcome.seen).toEqual([1, 2, 3, 4, 5]);
      }
      expect(await replayVersions(streamId, 19_998)).toEqual([19_998, 19_999, 20_000]);
    });
  });

  describe('when the read cannot finish in statementTimeoutMs', () => {
    it('should reject with EventStoreUnavailableError and work again once it can', async () => {
      // Given: a storage with a short statement timeout, and the events table locked by another session
      const impatient = PostgresEventStorage.fromUrl(db.url, {
        poolSize: 2,
        statementTimeoutMs: 300,
      });
      await impatient.init();
      const streamId = `replay-${randomUUID()}`;
      await fill(streamId, 10);
      const locker = new Client({ connectionString: db.url });
      await locker.connect();
      try {
        await locker.query('BEGIN');
        await locker.query(`LOCK TABLE ${impatient.tables.events} IN ACCESS EXCLUSIVE MODE`);

        // When
        const error = await impatient
          .replayStream(streamId, {}, () => undefined)
          .catch((e: unknown) => e);
        await locker.query('ROLLBACK');

        // Then
        expect(error).toBeInstanceOf(EventStoreUnavailableError);
        expect((error as Error).message).toMatch(/replaying stream/);
        let count = 0;
        await impatient.replayStream(streamId, {}, () => count++);
        expect(count).toBe(10);
      } finally {
        await locker.end();
        await impatient.close();
      }
    });
  });

  describe('when the storage is closed', () => {
    it('should reject with EventStoreUnavailableError', async () => {
      // Given
      await storage.close();

      // When
      const error = await replayVersions(`replay-${randomUUID()}`).catch((e: unknown) => e);

      // Then
      expect(error).toBeInstanceOf(EventStoreUnavailableError);
    });
  });
});

function anEvent(n: number): EventToAppend {
  return {
    eventId: randomUUID(),
    type: 'Replayed',
    schemaVersion: 1,
    data: JSON.stringify({ n }),
    metadata: '{}',
  };
}
