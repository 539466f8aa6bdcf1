import type { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import request from 'supertest';
import type { App } from 'supertest/types';
import { DemoConfig } from '../../apps/demo/src/config/demo-config';
import { NotifierConfig, NotifierConfigError } from '../../apps/notifier/src/notifier-config';
import { NotifierModule } from '../../apps/notifier/src/notifier.module';
import { bootDemo, orderBody, type RunningDemo } from '../e2e/demo-support';
import { waitUntil } from '../support/eventually';
import {
  createTestDatabase,
  usePostgresDatabase,
  type TestDatabase,
} from '../support/postgres-database';
import { natsUrl, uniqueRelayNames } from './support/nats';

describe('the demo and the notifier, two services joined by JetStream', () => {
  const db = usePostgresDatabase();
  let notifierDb: TestDatabase;
  let demo: RunningDemo | undefined;
  let notifier: INestApplication | undefined;

  beforeAll(async () => {
    notifierDb = await createTestDatabase('notifier');
  });

  afterAll(async () => {
    await notifier?.close();
    await demo?.close();
    await notifierDb?.drop();
  });

  it('should notify once for each order the demo ships', async () => {
    // Given: the demo with NATS_URL (its relay on), and the notifier on its own database
    const names = uniqueRelayNames('notifier');
    demo = await bootDemo({
      databaseUrl: db.url,
      natsUrl: natsUrl(),
      relayStream: names.stream,
      relaySubjectPrefix: names.prefix,
    });
    const moduleRef = await Test.createTestingModule({
      imports: [
        NotifierModule.forRoot(
          new NotifierConfig({
            natsUrl: natsUrl(),
            databaseUrl: notifierDb.url,
            stream: names.stream,
            subjectPrefix: names.prefix,
          }),
        ),
      ],
    }).compile();
    notifier = moduleRef.createNestApplication({ logger: false });
    await notifier.init();
    const notifierHttp = () => request(notifier!.getHttpServer() as App);

    // When: two orders are placed and one of them is shipped
    const placed = await demo.http().post('/orders').send(orderBody()).expect(201);
    await demo.http().post('/orders').send(orderBody('customer-2')).expect(201);
    const orderId = (placed.body as { order_id: string }).order_id;
    await demo
      .http()
      .post(`/orders/${orderId}/ship`)
      .send({ tracking_number: 'TRK-1' })
      .expect(200);

    // Then: the notifier sent one notification, for the shipped order
    await waitUntil(
      'the notifier notified the shipment',
      async () => ((await notifierHttp().get('/notifications')).body as unknown[]).length > 0,
      30_000,
    );
    const { body } = await notifierHttp().get('/notifications').expect(200);
    expect(body).toEqual([
      expect.objectContaining({
        order_id: orderId,
        tracking_number: 'TRK-1',
        message: `Your order ${orderId} is on its way (TRK-1)`,
      }),
    ]);
  }, 90_000);

  it('should leave the demo without a relay when NATS_URL is not set, and refuse a notifier without it', () => {
    expect(DemoConfig.fromEnv({}).natsUrl).toBeUndefined();
    expect(DemoConfig.fromEnv({ NATS_URL: 'nats://127.0.0.1:4222' }).natsUrl).toBe(
      'nats://127.0.0.1:4222',
    );
    expect(() => NotifierConfig.fromEnv({ DATABASE_URL: 'postgres://u@h/db' })).toThrow(
      NotifierConfigError,
    );
    expect(() => NotifierConfig.fromEnv({ NATS_URL: 'nats://h:4222' })).toThrow(/^DATABASE_URL: /);
  });
});
