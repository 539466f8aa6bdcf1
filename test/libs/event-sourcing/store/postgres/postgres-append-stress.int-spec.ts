import { randomUUID } from 'node:crypto';
import { usePostgresDatabase } from '../../../../support/postgres-database';
import { ConcurrencyError } from '@cello/event-sourcing/errors/concurrency.error';
import type { EventToAppend, StoredEvent } from '@cello/event-sourcing/store/event-storage';
import { PostgresEventStorage } from '@cello/event-sourcing/store/postgres/postgres-event-storage';

describe('PostgresEventStorage under many concurrent writers', () => {
  const db = usePostgresDatabase();

  it('should keep hot streams contiguous and the global log exact, with re-sends stored once', async () => {
    // Given two instances on one database, 4 hot streams and writers on their own streams
    const instances = [
      PostgresEventStorage.fromUrl(db.url, { poolSize: 4 }),
      PostgresEventStorage.fromUrl(db.url, { poolSize: 4 }),
    ];
    await Promise.all(instances.map((storage) => storage.init()));
    const hot = Array.from({ length: 4 }, () => `hot-${randomUUID()}`);
    const acknowledged = new Map<string, string>();
    let conflicts = 0;

    try {
      // When 32 hot writers (expected version + retry) and 8 own-stream writers append,
      // every fifth append re-sent with the same ids, as after a timeout
      const hotWriters = Array.from({ length: 32 }, async (_, writer) => {
        const storage = instances[writer % 2];
        for (let n = 0; n < 25; n++) {
          const streamId = hot[(writer + n) % hot.length];
          const events = [anEvent(writer, n)];
          for (;;) {
            const version = await storage.streamVersion(streamId);
            try {
              const result = await storage.append(streamId, events, version);
              acknowledged.set(events[0].eventId, streamId);
              if (n % 5 === 0) {
                const again = await instances[(writer + 1) % 2].append(streamId, events, version);
                expect(again).toEqual({ ...result, duplicate: true });
              }
              break;
            } catch (error) {
              if (!(error instanceof ConcurrencyError)) throw error;
              conflicts += 1;
            }
          }
        }
      });
      const ownWriters = Array.from({ length: 8 }, async (_, writer) => {
        const storage = instances[writer % 2];
        const streamId = `own-${randomUUID()}`;
        for (let n = 0; n < 50; n++) {
          const events = [anEvent(writer, n), anEvent(writer, n)];
          await storage.append(streamId, events, n * 2);
          for (const event of events) acknowledged.set(event.eventId, streamId);
        }
      });
      await Promise.all([...hotWriters, ...ownWriters]);

      // Then every stream is 1..n, and the log holds exactly the acknowledged events once
      for (const streamId of new Set(acknowledged.values())) {
        const versions = (await instances[0].readStream(streamId)).map((e) => e.version);
        expect(versions).toEqual(Array.from({ length: versions.length }, (_, i) => i + 1));
      }
      const log = await readAll(instances[1]);
      expect(log).toHaveLength(acknowledged.size);
      expect(new Set(log.map((e) => e.eventId))).toEqual(new Set(acknowledged.keys()));
      expect(conflicts).toBeGreaterThan(0);
      const stats = instances.map((storage) => storage.appendStats);
      const appends = stats.reduce((sum, s) => sum + s.appends, 0);
      const statements = stats.reduce((sum, s) => sum + s.statements, 0);
      expect(statements).toBeLessThan(appends);
    } finally {
      await Promise.all(instances.map((storage) => storage.close()));
    }
  });
});

async function readAll(storage: PostgresEventStorage): Promise<StoredEvent[]> {
  const events: StoredEvent[] = [];
  for (let from = 0; ;) {
    const page = await storage.readAll({ fromPosition: from, limit: 500 });
    if (page.length === 0) return events;
    events.push(...page);
    from = page[page.length - 1].position + 1;
  }
}

function anEvent(writer: number, n: number): EventToAppend {
  return {
    eventId: randomUUID(),
    type: 'StressTested',
    schemaVersion: 1,
    data: JSON.stringify({ writer, n }),
    metadata: '{}',
  };
}
