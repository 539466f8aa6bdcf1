import { Injectable, type CanActivate, type INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { of } from 'rxjs';
import request from 'supertest';
import { isCelloError } from '@cello/core';
import {
  DevtoolsModule,
  InvalidDevtoolsOptionsError,
  REDACTION_FAILED,
  type DevtoolsModuleOptions,
} from '@cello/devtools';
import { Event, EventSourcingModule, EventStore, EventType } from '@cello/event-sourcing';
import { NonRetryableError, Saga, SagaModule, SagaRunner, SagaStep } from '@cello/saga';

@EventType('AddressChanged')
class AddressChanged extends Event {
  constructor(readonly address: string) {
    super();
  }
}

/** A saga whose compensation keeps failing: one to retry. */
@Injectable()
class StuckSaga extends Saga {
  steps = [
    new SagaStep({
      name: 'first',
      action: () => undefined,
      compensate: () => {
        throw new NonRetryableError('still stuck');
      },
    }),
    new SagaStep({
      name: 'second',
      action: () => {
        throw new NonRetryableError('refused');
      },
    }),
  ];
}

async function boot(devtools: DevtoolsModuleOptions): Promise<INestApplication> {
  const moduleRef = await Test.createTestingModule({
    imports: [
      EventSourcingModule.forRoot({ storage: 'memory', events: [AddressChanged] }),
      SagaModule.forRoot({ storage: 'memory', maxRetries: 0, retryDelay: 0.001 }),
      DevtoolsModule.forRoot(devtools),
    ],
    providers: [StuckSaga],
  }).compile();
  const app = moduleRef.createNestApplication({ logger: false });
  await app.init();
  return app;
}

describe('the developer pages', () => {
  describe('when a state-changing request is not a same-origin JSON request', () => {
    let app: INestApplication;
    let retry: string;

    beforeAll(async () => {
      app = await boot({ enabled: true });
      const result = await app.get(SagaRunner).execute(StuckSaga, {});
      retry = `/sagas/api/sagas/${result.sagaId}/retry`;
    });

    afterAll(async () => {
      await app.close();
    });

    it.each(['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x'])(
      'should refuse a %s body with 415',
      async (type) => {
        const response = await request(app.getHttpServer())
          .post(retry)
          .set('Content-Type', type)
          .send('{}');
        expect(response.status).toBe(415);
        expect(response.body.message).toContain('needs a JSON body');
      },
    );

    it('should refuse a POST without a body with 415', async () => {
      await request(app.getHttpServer()).post(retry).expect(415);
    });

    it.each([
      ['another origin', { Origin: 'http://evil.example' }],
      ['another port', { Origin: 'http://127.0.0.1:1' }],
      ['an opaque origin', { Origin: 'null' }],
      ['a cross-site fetch', { 'Sec-Fetch-Site': 'cross-site' }],
      ['a same-site fetch', { 'Sec-Fetch-Site': 'same-site' }],
    ])('should refuse %s with 403, even as JSON', async (_, headers) => {
      const response = await request(app.getHttpServer()).post(retry).set(headers).send({});
      expect(response.status).toBe(403);
      expect(response.body.message).toContain('Cross-site request refused');
    });

    it('should refuse a cross-site read of the API with 403', async () => {
      await request(app.getHttpServer())
        .get('/sagas/api/sagas')
        .set('Sec-Fetch-Site', 'cross-site')
        .expect(403);
    });

    it.each([
      [
        'its own origin',
        {
          Host: 'ops.example:8080',
          Origin: 'http://ops.example:8080',
          'Sec-Fetch-Site': 'same-origin',
        },
      ],
      [
        'its origin behind a proxy',
        { Origin: 'https://ops.example', 'X-Forwarded-Host': 'ops.example' },
      ],
      ['a client that is not a browser', {}],
    ])('should accept a JSON request from %s', async (_, headers) => {
      const response = await request(app.getHttpServer()).post(retry).set(headers).send({});
      // The saga is still stuck: the retry ran and failed again.
      expect(response.status).toBe(200);
      expect(response.body.status).toBe('compensation_failed');
      expect(response.body.error).toContain('still stuck');
    });
  });

  describe('when the app gives a guard', () => {
    it('should apply a guard instance to pages and APIs alike', async () => {
      // Given
      const guard: CanActivate = {
        canActivate: (context) =>
          context.switchToHttp().getRequest<{ headers: Record<string, string> }>().headers[
            'x-team'
          ] === 'ops',
      };
      const app = await boot({ enabled: true, guard });
      try {
        for (const path of [
          '/events',
          '/events/browser.js',
          '/events/api/events',
          '/sagas',
          '/sagas/dashboard.js',
          '/sagas/api/sagas',
        ]) {
          // When / Then
          await request(app.getHttpServer()).get(path).expect(403);
          await request(app.getHttpServer()).get(path).set('X-Team', 'ops').expect(200);
        }
        await request(app.getHttpServer()).post('/sagas/api/sagas/x/retry').send({}).expect(403);
      } finally {
        await app.close();
      }
    });

    it('should accept a guard that answers with an Observable', async () => {
      const app = await boot({ enabled: true, guard: { canActivate: () => of(false) } });
      try {
        await request(app.getHttpServer()).get('/events/api/events').expect(403);
      } finally {
        await app.close();
      }
    });
  });

  describe('when the app gives a redaction', () => {
    it('should serve what it returns, and "[redaction failed]" when it throws', async () => {
      // Given
      const app = await boot({
        enabled: true,
        redact: (value, { kind, type }) => {
          if (kind === 'metadata') return value;
          if (type === 'AddressChanged') return { address: '***' };
          throw new Error('no rule for this saga');
        },
      });
      try {
        await app.get(EventStore).append('customer-1', [new AddressChanged('1 Rue de Rivoli')]);
        const saga = await app.get(SagaRunner).execute(StuckSaga, { address: '1 Rue de Rivoli' });

        // When
        const events = await request(app.getHttpServer()).get('/events/api/events').expect(200);
        const one = await request(app.getHttpServer()).get(`/sagas/api/sagas/${saga.sagaId}`);
        const list = await request(app.getHttpServer()).get('/sagas/api/sagas').expect(200);

        // Then
        expect(events.body.events[0].data).toEqual({ address: '***' });
        expect(one.body.context).toBe(REDACTION_FAILED);
        expect(list.body.sagas[0].context).toBe(REDACTION_FAILED);
        expect(JSON.stringify([events.body, one.body, list.body])).not.toContain('Rivoli');
      } finally {
        await app.close();
      }
    });
  });

  describe('when an option cannot be used', () => {
    it.each([
      ['guard', { guard: {} }],
      ['guard', { guard: class NotAGuard {} }],
      ['redact', { redact: 'mask' }],
      ['enabled', { enabled: 'yes' }],
      ['maxScan', { maxScan: 0 }],
    ])('should refuse %s at start-up with a typed error', (option, options) => {
      let thrown: unknown;
      try {
        DevtoolsModule.forRoot(options as unknown as DevtoolsModuleOptions);
      } catch (error) {
        thrown = error;
      }
      expect(isCelloError(thrown, InvalidDevtoolsOptionsError.code)).toBe(true);
      expect((thrown as InvalidDevtoolsOptionsError).option).toBe(option);
    });
  });
});
