import { Injectable, type INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import request from 'supertest';
import { DevtoolsModule } from '@cello/devtools';
import { Event, EventStore, EventSourcingModule, EventType } from '@cello/event-sourcing';
import {
  NonRetryableError,
  Saga,
  SAGA_STORAGE,
  SagaModule,
  SagaRunner,
  SagaStep,
  type SagaStorage,
} from '@cello/saga';

@EventType('NoteTaken')
class NoteTaken extends Event {
  constructor(
    readonly noteId: string,
    readonly text: string,
  ) {
    super();
  }
}

@EventType('NoteArchived')
class NoteArchived extends Event {
  constructor(readonly noteId: string) {
    super();
  }
}

/** A saga whose second step fails and whose first compensation fails once. */
@Injectable()
class FlakySaga extends Saga {
  compensationFailures = 1;
  steps = [
    new SagaStep({
      name: 'first',
      action: () => undefined,
      compensate: () => {
        if (this.compensationFailures-- > 0) throw new NonRetryableError('compensation refused');
      },
    }),
    new SagaStep({
      name: 'second',
      action: () => {
        throw new NonRetryableError('second refused');
      },
    }),
  ];
}

async function boot(enabled?: boolean): Promise<INestApplication> {
  const moduleRef = await Test.createTestingModule({
    imports: [
      EventSourcingModule.forRoot({ storage: 'memory', events: [NoteTaken, NoteArchived] }),
      SagaModule.forRoot({ storage: 'memory', maxRetries: 0, retryDelay: 0.001 }),
      DevtoolsModule.forRoot({ enabled }),
    ],
    providers: [FlakySaga],
  }).compile();
  const app = moduleRef.createNestApplication({ logger: false });
  await app.init();
  return app;
}

describe('the developer pages', () => {
  let app: INestApplication;

  beforeAll(async () => {
    app = await boot(true);
    const store = app.get(EventStore);
    for (let i = 1; i <= 30; i++) {
      await store.append(`note-${i % 3}`, [new NoteTaken(`note-${i % 3}`, `<b>note ${i}</b>`)]);
    }
    await store.append('note-1', [new NoteArchived('note-1')]);
  });

  afterAll(async () => {
    await app.close();
  });

  describe('when /events is opened', () => {
    it('should serve the page with a policy that allows only its own scripts', async () => {
      const response = await request(app.getHttpServer()).get('/events').expect(200);
      expect(response.headers['content-type']).toMatch(/text\/html/);
      expect(response.headers['content-security-policy']).toContain("script-src 'self'");
      expect(response.text).toContain('<script src="/events/browser.js"></script>');
    });

    it('should list the log newest first, in pages', async () => {
      // When
      const first = await request(app.getHttpServer())
        .get('/events/api/events?limit=10')
        .expect(200);
      const second = await request(app.getHttpServer())
        .get(`/events/api/events?limit=10&before=${first.body.older}`)
        .expect(200);
      // Then
      const positions = first.body.events.map((e: { position: number }) => e.position);
      expect(first.body.head).toBe(31);
      expect(positions).toEqual([31, 30, 29, 28, 27, 26, 25, 24, 23, 22]);
      expect(second.body.events[0].position).toBe(21);
      expect(first.body.events[0]).toMatchObject({
        type: 'NoteArchived',
        streamId: 'note-1',
        data: { noteId: 'note-1' },
      });
    });

    it('should filter by event type and by stream', async () => {
      const byType = await request(app.getHttpServer())
        .get('/events/api/events?type=NoteArchived')
        .expect(200);
      expect(byType.body.events.map((e: { type: string }) => e.type)).toEqual(['NoteArchived']);

      const byStream = await request(app.getHttpServer())
        .get('/events/api/events?stream=note-2&limit=4')
        .expect(200);
      expect(byStream.body.events.map((e: { version: number }) => e.version)).toEqual([1, 2, 3, 4]);
      expect(byStream.body.nextVersion).toBe(5);
      expect(byStream.body.events[0].data.text).toBe('<b>note 2</b>');
    });

    it('should reject a malformed page request with 400', async () => {
      const response = await request(app.getHttpServer()).get('/events/api/events?before=abc');
      expect(response.status).toBe(400);
      expect(response.body.message).toContain('before must be a positive integer');
    });
  });

  describe('when /sagas is opened', () => {
    it('should show a compensation_failed saga and retry it', async () => {
      // Given
      const result = await app.get(SagaRunner).execute(FlakySaga, {});
      expect(result.status).toBe('compensation_failed');
      // When
      const listed = await request(app.getHttpServer())
        .get('/sagas/api/sagas?status=compensation_failed')
        .expect(200);
      const retried = await request(app.getHttpServer())
        .post(`/sagas/api/sagas/${result.sagaId}/retry`)
        .send({})
        .expect(200);
      // Then
      expect(listed.body.sagas.map((s: { sagaId: string }) => s.sagaId)).toContain(result.sagaId);
      expect(listed.body.sagas[0].error).toContain('compensation refused');
      expect(retried.body).toMatchObject({ sagaId: result.sagaId, status: 'compensated' });
      const after = await request(app.getHttpServer())
        .get(`/sagas/api/sagas/${result.sagaId}`)
        .expect(200);
      expect(after.body.status).toBe('compensated');
    });

    it('should list a quarantined saga under its own status, corrupt', async () => {
      // Given a saga whose stored state is unreadable, quarantined by recovery
      const storage = app.get<SagaStorage>(SAGA_STORAGE);
      await storage.create({
        id: 'corrupt-row',
        sagaName: 'FlakySaga',
        status: 'running',
        state: 'not a state' as never,
        context: {},
        owner: 'dead-instance',
        fencingToken: 1,
        leaseTtlMs: 0,
      });
      await new Promise((resolve) => setTimeout(resolve, 5)); // its lease lapsed
      await app.get(SagaRunner).recoverAbandoned();
      // When
      const page = await request(app.getHttpServer()).get('/sagas').expect(200);
      const listed = await request(app.getHttpServer())
        .get('/sagas/api/sagas?status=corrupt')
        .expect(200);
      // Then
      expect(page.text).toContain('<option>corrupt</option>');
      expect(listed.body.sagas).toEqual([
        expect.objectContaining({
          sagaId: 'corrupt-row',
          status: 'corrupt',
          error: expect.stringMatching(/unreadable/),
        }),
      ]);
    });

    it('should answer 404 for an unknown saga and 400 for an unknown status', async () => {
      await request(app.getHttpServer()).get('/sagas/api/sagas/nope').expect(404);
      await request(app.getHttpServer()).get('/sagas/api/sagas?status=bogus').expect(400);
    });
  });

  describe('when the pages are turned off', () => {
    it('should answer 404 everywhere', async () => {
      const off = await boot(false);
      try {
        await request(off.getHttpServer()).get('/events').expect(404);
        await request(off.getHttpServer()).get('/events/api/events').expect(404);
        await request(off.getHttpServer()).get('/sagas').expect(404);
      } finally {
        await off.close();
      }
    });
  });
});
