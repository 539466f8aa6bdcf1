import { randomUUID } from 'node:crypto';
import { Injectable, type INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import request from 'supertest';
import { DevtoolsModule } from '@cello/devtools';
import {
  Event,
  EventHandler,
  EventSourcingModule,
  EventStore,
  EventSubscriber,
  EventType,
  type OnSubscriberReset,
} from '@cello/event-sourcing';

@EventType('DevtoolsInline.LetterPosted')
class LetterPosted extends Event {
  constructor(readonly letterId: string) {
    super();
  }
}

/** Counts letters inside each append; its reset empties the count. */
@Injectable()
@EventSubscriber({ name: 'letter-count', inline: true })
class LetterCount implements OnSubscriberReset {
  count = 0;
  resets = 0;

  @EventHandler(LetterPosted)
  onPosted(): void {
    this.count += 1;
  }

  onSubscriberReset(): void {
    this.resets += 1;
    this.count = 0;
  }
}

describe('the Subscriptions view with an inline subscriber', () => {
  let app: INestApplication;

  beforeAll(async () => {
    const moduleRef = await Test.createTestingModule({
      imports: [
        EventSourcingModule.forRoot({ storage: 'memory' }),
        DevtoolsModule.forRoot({ enabled: true }),
      ],
      providers: [LetterCount],
    }).compile();
    app = moduleRef.createNestApplication({ logger: false });
    await app.init();
    const store = app.get(EventStore);
    for (const n of [1, 2, 3])
      await store.append(`letter-${randomUUID()}`, new LetterPosted(`l-${n}`));
  });

  afterAll(() => app.close());

  it('should list it as inline, never behind', async () => {
    // When
    const response = await request(app.getHttpServer())
      .get('/subscriptions/api/subscriptions')
      .expect(200);
    // Then
    const [view] = (response.body as { subscriptions: Record<string, unknown>[] }).subscriptions;
    expect(view).toMatchObject({
      name: 'letter-count',
      mode: 'inline',
      rebuilding: false,
      status: 'running',
      lagEvents: 0,
    });
  });

  it('should rebuild it from its Rebuild action', async () => {
    // Given
    const counter = app.get(LetterCount);
    counter.count = 0;
    // When
    const response = await request(app.getHttpServer())
      .post('/subscriptions/api/subscriptions/letter-count/rebuild')
      .set('Content-Type', 'application/json')
      .send('{}')
      .expect(200);
    // Then
    expect(response.body).toEqual({ name: 'letter-count', caughtUp: true });
    expect(counter.resets).toBe(1);
    expect(counter.count).toBe(3);
  });
});
