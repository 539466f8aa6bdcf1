import type { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import request from 'supertest';
import { DevtoolsModule, type EventPage } from '@cello/devtools';
import {
  Event,
  EventSourcingModule,
  EventStore,
  EventType,
  type EventStorage,
} from '@cello/event-sourcing';
import { MemoryEventStorage } from '@cello/event-sourcing/store/memory/memory-event-storage';
import { MysqlEventStorage } from '@cello/event-sourcing/store/mysql/mysql-event-storage';
import { PostgresEventStorage } from '@cello/event-sourcing/store/postgres/postgres-event-storage';
import { CommandBus } from '@cello/cqrs/command-bus';
import { CqrsModule } from '@cello/cqrs/cqrs.module';
import { CommandHandler } from '@cello/cqrs/decorators/command-handler.decorator';
import type { ICommandHandler } from '@cello/cqrs/handlers/message-handler';
import { Command } from '@cello/cqrs/message/command';
import { useMysqlDatabase } from '../support/mysql-database';
import { usePostgresDatabase } from '../support/postgres-database';

@EventType('correlation-browser.Happened')
class Happened extends Event {
  constructor(readonly n: number) {
    super();
  }
}

/** Appends two events to two streams; the second with metadata of its own. */
class RecordTwiceCommand extends Command<void> {
  constructor(readonly tag: string) {
    super();
  }
}

@CommandHandler(RecordTwiceCommand)
class RecordTwiceHandler implements ICommandHandler<RecordTwiceCommand> {
  constructor(private readonly events: EventStore) {}

  async execute(command: RecordTwiceCommand): Promise<void> {
    await this.events.append(`first-${command.tag}`, new Happened(1));
    await this.events.append(
      `second-${command.tag}`,
      new Happened(2).withMetadata({ user: 'ann' }),
      { metadata: { source: 'test' } },
    );
  }
}

async function boot(storage: EventStorage): Promise<INestApplication> {
  const moduleRef = await Test.createTestingModule({
    imports: [
      EventSourcingModule.forRoot({ storage, events: [Happened] }),
      CqrsModule.forRoot(),
      DevtoolsModule.forRoot({ enabled: true }),
    ],
    providers: [RecordTwiceHandler],
  }).compile();
  return moduleRef.createNestApplication({ logger: false }).init();
}

describe('correlation metadata stored and browsed', () => {
  const pg = usePostgresDatabase();
  const mysql = useMysqlDatabase();

  describe.each([
    ['memory', () => new MemoryEventStorage()],
    ['PostgreSQL', () => PostgresEventStorage.fromUrl(pg.url, { poolSize: 2 })],
    ['MariaDB', () => MysqlEventStorage.fromUrl(mysql.url, { poolSize: 2 })],
  ])('on %s', (backend, open) => {
    let app: INestApplication;

    beforeAll(async () => {
      app = await boot(open());
      const commands = app.get(CommandBus);
      for (const tag of ['a', 'b']) {
        await commands.dispatch(new RecordTwiceCommand(`${backend}-${tag}`), {
          request: { headers: { 'x-correlation-id': `${backend}-request-${tag}` } },
        });
      }
    });

    afterAll(async () => {
      await app.close();
    });

    it('should read back the correlation, causation and per-event metadata', async () => {
      // When
      const store = app.get(EventStore);
      const [first] = await store.readStream(`first-${backend}-a`);
      const [second] = await store.readStream(`second-${backend}-a`);
      // Then
      expect(first.metadata).toEqual({
        correlationId: `${backend}-request-a`,
        causationId: expect.any(String),
      });
      expect(second.metadata).toEqual({
        correlationId: `${backend}-request-a`,
        causationId: first.metadata.causationId,
        source: 'test',
        user: 'ann',
      });
      expect(second.event).toEqual(expect.objectContaining({ n: 2 }));
    });

    it('should list only the events of one correlation id at /events', async () => {
      // When
      const response = await request(app.getHttpServer())
        .get('/events/api/events')
        .query({ correlationId: `${backend}-request-b`, limit: 50 })
        .expect(200);
      // Then
      const page = response.body as EventPage;
      expect(page.events.map((event) => event.streamId)).toEqual([
        `second-${backend}-b`,
        `first-${backend}-b`,
      ]);
      expect(page.events.map((event) => event.metadata.correlationId)).toEqual([
        `${backend}-request-b`,
        `${backend}-request-b`,
      ]);
    });

    it('should filter a stream view by correlation id too', async () => {
      // When
      const response = await request(app.getHttpServer())
        .get('/events/api/events')
        .query({ stream: `first-${backend}-a`, correlationId: 'another-request' })
        .expect(200);
      // Then
      expect((response.body as EventPage).events).toEqual([]);
    });
  });
});
