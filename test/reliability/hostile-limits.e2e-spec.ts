import { randomUUID } from 'node:crypto';
import { Test, type TestingModule } from '@nestjs/testing';
import {
  AppendBatchTooLargeError,
  DEFAULT_MAX_BATCH_SIZE,
  DEFAULT_MAX_EVENT_BYTES,
  Event,
  EventSourcingModule,
  EventStore,
  EventTooLargeError,
  EventType,
  MemoryEventStorage,
  MysqlEventStorage,
  PostgresEventStorage,
  type EventSourcingModuleOptions,
} from '@cello/event-sourcing';
import { useMysqlDatabase } from '../support/mysql-database';
import { usePostgresDatabase } from '../support/postgres-database';

@EventType('LimitsAttachment')
class Attachment extends Event {
  constructor(readonly text: string) {
    super();
  }
}

/** Serialized size of an Attachment with empty text: `{"text":""}`. */
const ENVELOPE_BYTES = Buffer.byteLength(JSON.stringify({ text: '' }));

/** An event whose serialized payload is exactly `bytes` long (`unit` repeated, 1 or 2 bytes). */
function attachmentOf(bytes: number, unit: 'a' | 'é' = 'a'): Attachment {
  const unitBytes = Buffer.byteLength(unit);
  const body = bytes - ENVELOPE_BYTES;
  return new Attachment(unit.repeat(Math.floor(body / unitBytes)) + 'a'.repeat(body % unitBytes));
}

describe('the configured maximums of event size and batch size', () => {
  const postgres = usePostgresDatabase();
  const mysql = useMysqlDatabase();

  describe.each<[string, () => EventSourcingModuleOptions['storage']]>([
    ['memory', () => new MemoryEventStorage()],
    ['PostgreSQL', () => PostgresEventStorage.fromUrl(postgres.url, { poolSize: 2 })],
    ['MariaDB', () => MysqlEventStorage.fromUrl(mysql.url, { poolSize: 2 })],
  ])('on %s', (_backend, storage) => {
    let app: TestingModule;
    let store: EventStore;

    async function boot(options: EventSourcingModuleOptions = {}): Promise<void> {
      app = await Test.createTestingModule({
        imports: [
          EventSourcingModule.forRoot({ storage: storage(), events: [Attachment], ...options }),
        ],
      }).compile();
      app.useLogger(false);
      await app.init();
      store = app.get(EventStore);
    }

    afterEach(async () => {
      await app?.close();
    });

    describe('with the default maximums', () => {
      it('should store an event of exactly 1 MiB intact and refuse one byte more, naming both sizes', async () => {
        // Given
        await boot();
        const streamId = `limits-${randomUUID()}`;
        const largest = attachmentOf(DEFAULT_MAX_EVENT_BYTES);

        // When
        await store.append(streamId, [largest], { expectedVersion: 0 });
        const error = await store
          .append(streamId, [attachmentOf(DEFAULT_MAX_EVENT_BYTES + 1)])
          .catch((e: unknown) => e);

        // Then
        const [read] = await store.readStream<Attachment>(streamId);
        expect(read.event.text).toBe(largest.text);
        expect(error).toBeInstanceOf(EventTooLargeError);
        expect(error).toMatchObject({
          eventType: 'LimitsAttachment',
          bytes: DEFAULT_MAX_EVENT_BYTES + 1,
          limit: DEFAULT_MAX_EVENT_BYTES,
        });
        expect((error as Error).message).toMatch(/maxEventBytes/);
        expect(await store.streamVersion(streamId)).toBe(1);
      });

      it('should store a batch of exactly 10,000 events and refuse 10,001, writing nothing', async () => {
        // Given
        await boot();
        const full = `limits-${randomUUID()}`;
        const over = `limits-${randomUUID()}`;
        const batch = (n: number) => Array.from({ length: n }, (_, i) => new Attachment(`#${i}`));

        // When
        const written = await store.append(full, batch(DEFAULT_MAX_BATCH_SIZE));
        const error = await store
          .append(over, batch(DEFAULT_MAX_BATCH_SIZE + 1))
          .catch((e: unknown) => e);

        // Then
        expect(written.streamVersion).toBe(DEFAULT_MAX_BATCH_SIZE);
        expect(error).toBeInstanceOf(AppendBatchTooLargeError);
        expect(error).toMatchObject({
          streamId: over,
          count: DEFAULT_MAX_BATCH_SIZE + 1,
          limit: DEFAULT_MAX_BATCH_SIZE,
        });
        expect((error as Error).message).toMatch(/maxBatchSize/);
        expect(await store.streamVersion(over)).toBe(0);
      });
    });

    describe('with small configured maximums', () => {
      it('should count bytes, not characters, and write none of a batch holding one event too large', async () => {
        // Given 2-byte characters and a 1 KiB limit
        await boot({ maxEventBytes: 1024, maxBatchSize: 3 });
        const streamId = `limits-${randomUUID()}`;
        const fits = attachmentOf(1024, 'é');
        const tooLarge = attachmentOf(1025, 'é');

        // When
        const error = await store
          .append(streamId, [new Attachment('first'), fits, tooLarge])
          .catch((e: unknown) => e);
        const tooMany = await store
          .append(
            streamId,
            [fits, fits, fits, fits].map((e) => new Attachment(e.text)),
          )
          .catch((e: unknown) => e);

        // Then
        expect(tooLarge.text.length).toBeLessThan(1024);
        expect(error).toBeInstanceOf(EventTooLargeError);
        expect(error).toMatchObject({ bytes: 1025, limit: 1024 });
        expect(tooMany).toBeInstanceOf(AppendBatchTooLargeError);
        expect(tooMany).toMatchObject({ count: 4, limit: 3 });
        expect(await store.streamVersion(streamId)).toBe(0);
        await store.append(streamId, [new Attachment('first'), fits], { expectedVersion: 0 });
        expect((await store.readStream<Attachment>(streamId))[1].event.text).toBe(fits.text);
      });
    });
  });
});
