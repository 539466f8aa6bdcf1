import type { Response } from 'supertest';
import {
  bootDemo,
  createOrder,
  FAST_SAGAS,
  fulfillBody,
  orderBody,
  type RunningDemo,
} from '../e2e/demo-support';
import { startPrivatePostgres, type PrivatePostgres } from '../support/private-postgres';
import { serverProcesses, signal } from './shared/freeze-postgres';
import { eventually } from '../support/eventually';

describe('the demo when its PostgreSQL freezes', () => {
  let postgres: PrivatePostgres;
  let demo: RunningDemo;
  let frozen: number[] = [];

  beforeAll(async () => {
    postgres = await startPrivatePostgres();
    demo = await bootDemo({
      databaseUrl: postgres.url,
      saga: { ...FAST_SAGAS, leaseTtlSeconds: 2, recoveryIntervalSeconds: 0.5 },
    });
  });

  afterAll(async () => {
    signal(frozen, 'SIGCONT');
    await demo?.close();
    await postgres?.destroy();
  });

  it('should answer every route with a coded 503 or 504 instead of hanging, then serve again after the thaw', async () => {
    // Given an order
    const orderId = await createOrder(demo, 'customer-frozen');

    // When the server freezes and every route is called
    frozen = await serverProcesses(postgres.url);
    signal(frozen, 'SIGSTOP');
    const answers: [string, Response][] = await Promise.all(
      (
        [
          ['create', () => demo.http().post('/orders').send(orderBody('customer-frozen'))],
          ['get', () => demo.http().get(`/orders/${orderId}`)],
          ['list', () => demo.http().get('/orders').query({ customer_id: 'customer-frozen' })],
          [
            'ship',
            () => demo.http().post(`/orders/${orderId}/ship`).send({ tracking_number: 'T' }),
          ],
          ['fulfill', () => demo.http().post(`/orders/${orderId}/fulfill`).send(fulfillBody())],
          ['fulfillment', () => demo.http().get(`/orders/${orderId}/fulfillment`)],
          ['ledger', () => demo.http().get('/demo/ledger').query({ order_id: orderId })],
          ['health', () => demo.http().get('/health')],
        ] as const
      ).map(async ([route, call]) => [route, await call()] as [string, Response]),
    );

    // Then each settled while frozen (bounded by the storage or bus timeouts, 30 s at
    // most), as coded "unavailable" or "timed out" answers, or the documented failed saga
    const unexpected = answers
      .filter(([route, response]) => {
        const body = response.body as { code?: string; status?: string };
        if (route === 'health') return response.status !== 503;
        if (route === 'fulfill' && response.status === 500 && body.status === 'failed') {
          return false;
        }
        return !(
          (response.status === 503 && /unavailable/.test(body.code ?? '')) ||
          (response.status === 504 && /timeout/.test(body.code ?? ''))
        );
      })
      .map(([route, response]) => `${route}: ${response.status} ${JSON.stringify(response.body)}`);
    expect(unexpected).toEqual([]);
    // Writes fail as unavailable: the demo's event store gives up (10 s) before the 30 s command timeout.
    const ship = answers.find(([route]) => route === 'ship')![1];
    expect([ship.status, (ship.body as { code?: string }).code]).toEqual([
      503,
      'event-store-unavailable',
    ]);
    await demo.http().get('/').expect(200);

    // When it thaws
    signal(frozen, 'SIGCONT');
    frozen = [];

    // Then the app serves again without a restart
    await eventually(() => demo.http().get('/health').expect(200), 10_000);
    const again = await createOrder(demo, 'customer-frozen');
    await demo.http().get(`/orders/${again}`).expect(200);
    await demo.http().get(`/orders/${orderId}`).expect(200);
  }, 120_000);
});
