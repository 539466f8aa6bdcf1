import { randomUUID } from 'node:crypto';
import type { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import request from 'supertest';
import { DevtoolsModule, type EventPage } from '@cello/devtools';
import { EventSourcingModule, type EventStorage, type StoredEvent } from '@cello/event-sourcing';
import { MemoryEventStorage } from '@cello/event-sourcing/store/memory/memory-event-storage';
import { PostgresEventStorage } from '@cello/event-sourcing/store/postgres/postgres-event-storage';
import { usePostgresDatabase } from '../support/postgres-database';

const NOISE = 3000;
const PADDING = 'x'.repeat(1000);

/** What the browser had the storage read: rows and payload bytes. */
interface ReadCount {
  rows: number;
  bytes: number;
}

/** `storage` seen through a proxy that counts what its reads return; `readBackward` hidden when asked. */
function counting(storage: EventStorage, hideReadBackward: boolean): [EventStorage, ReadCount] {
  const read: ReadCount = { rows: 0, bytes: 0 };
  const count = (rows: StoredEvent[]) => {
    read.rows += rows.length;
    read.bytes += rows.reduce((n, row) => n + JSON.stringify(row.data).length, 0);
    return rows;
  };
  const proxy = new Proxy(storage, {
    get(target, key) {
      if (key === 'readBackward' && hideReadBackward) return undefined;
      const value = Reflect.get(target, key) as unknown;
      if (typeof value !== 'function') return value;
      if (key === 'readAll' || key === 'readBackward') {
        return async (options: unknown) =>
          count(await (value as (o: unknown) => Promise<StoredEvent[]>).call(target, options));
      }
      return (value as (...args: unknown[]) => unknown).bind(target);
    },
  });
  return [proxy, read];
}

function raw(type: string, data: unknown) {
  return {
    eventId: randomUUID(),
    type,
    schemaVersion: 1,
    data: JSON.stringify(data),
    metadata: '{}',
  };
}

/** 3 `Rare` events, then NOISE `Noise` events of 1 KB each. */
async function fill(storage: EventStorage): Promise<void> {
  await storage.append(
    'rare',
    [1, 2, 3].map((n) => raw('Rare', { n })),
    'any',
  );
  for (let i = 0; i < NOISE; i += 500) {
    const batch = Array.from({ length: 500 }, (_, k) => raw('Noise', { n: i + k, PADDING }));
    await storage.append(`noise-${i}`, batch, 'any');
  }
}

async function boot(storage: EventStorage, maxScan?: number): Promise<INestApplication> {
  const moduleRef = await Test.createTestingModule({
    imports: [
      EventSourcingModule.forRoot({ storage }),
      DevtoolsModule.forRoot({ enabled: true, maxScan }),
    ],
  }).compile();
  const app = moduleRef.createNestApplication({ logger: false });
  await app.init();
  return app;
}

async function browse(app: INestApplication, query: string): Promise<EventPage> {
  return (await request(app.getHttpServer()).get(`/events/api/events?${query}`).expect(200))
    .body as EventPage;
}

describe('the event browser filtering by type', () => {
  const db = usePostgresDatabase();

  describe.each([
    ['PostgreSQL', () => PostgresEventStorage.fromUrl(db.url, { poolSize: 2 })],
    ['memory', () => new MemoryEventStorage()],
  ])('on %s', (_, open) => {
    let storage: EventStorage;
    let read: ReadCount;
    let app: INestApplication;

    beforeAll(async () => {
      [storage, read] = counting(open(), false);
      app = await boot(storage);
      await fill(storage);
    });

    afterAll(async () => {
      await app.close();
    });

    beforeEach(() => {
      read.rows = 0;
      read.bytes = 0;
    });

    it('should read only the events of that type, not the 3,000 others', async () => {
      // When
      const page = await browse(app, 'type=Rare&limit=50');

      // Then
      expect(page.events.map((e) => e.data)).toEqual([{ n: 3 }, { n: 2 }, { n: 1 }]);
      expect(page.older).toBeNull();
      expect(read.rows).toBe(3);
      expect(read.bytes).toBeLessThan(100);
    });

    it('should page the unfiltered log newest first, reading one page', async () => {
      // When
      const first = await browse(app, 'limit=20');
      const second = await browse(app, `limit=20&before=${first.older}`);

      // Then
      expect(first.events[0].position).toBe(first.head);
      expect(second.events[0].position).toBe(first.events[19].position - 1);
      expect(read.rows).toBe(40);
    });
  });

  describe('with a search bound of 1,000 positions', () => {
    let app: INestApplication;
    let read: ReadCount;
    let storage: EventStorage;

    afterEach(async () => {
      await app.close();
    });

    it.each([
      ['a storage that filters itself', false],
      ['a storage without readBackward', true],
    ])(
      'should stop each page at the bound, say where, and go on below it (%s)',
      async (_, hide) => {
        // Given
        [storage, read] = counting(new MemoryEventStorage(), hide);
        app = await boot(storage, 1000);
        await fill(storage);

        // When
        const first = await browse(app, 'type=Rare&limit=50');
        const pages = [first];
        while (pages.at(-1)!.older !== null && pages.at(-1)!.events.length === 0) {
          pages.push(await browse(app, `type=Rare&limit=50&before=${pages.at(-1)!.older}`));
        }

        // Then
        expect(first.events).toEqual([]);
        expect(first.searched).toEqual({ from: first.head - 999, to: first.head });
        expect(first.older).toBe(first.head - 999);
        expect(pages.at(-1)!.events.map((e) => e.data)).toEqual([{ n: 3 }, { n: 2 }, { n: 1 }]);
        expect(pages).toHaveLength(4);
        expect(read.rows).toBeLessThanOrEqual(hide ? NOISE + 3 : 3);
      },
    );
  });
});
