import { startPrivatePostgres, type PrivatePostgres } from '../support/private-postgres';
import { bootDemo, type RunningDemo } from '../e2e/demo-support';

/** Polls `GET /health` until it answers `status`; resolves with how long that took. */
async function healthBecomes(demo: RunningDemo, status: number, withinMs: number): Promise<number> {
  const started = Date.now();
  for (;;) {
    const response = await demo.http().get('/health');
    if (response.status === status) return Date.now() - started;
    if (Date.now() - started > withinMs) {
      throw new Error(`/health stayed ${response.status} for ${withinMs} ms: ${response.text}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe('the demo health check at /health', () => {
  let postgres: PrivatePostgres;
  let demo: RunningDemo;

  beforeAll(async () => {
    postgres = await startPrivatePostgres();
    demo = await bootDemo({ databaseUrl: postgres.url });
  });

  afterAll(async () => {
    await demo?.close();
    await postgres?.destroy();
  });

  it('should answer 200 with both storages up and the read model projection running', async () => {
    const response = await demo.http().get('/health').expect(200);
    const subscriptions = {
      status: 'up',
      subscribers: {
        'orders-read-model': {
          mode: 'async',
          state: 'running',
          parked: 0,
          lag: 0,
          checkpoint: expect.any(Number),
        },
      },
    };
    expect(response.body).toEqual({
      status: 'ok',
      info: { eventStore: { status: 'up' }, sagaStore: { status: 'up' }, subscriptions },
      error: {},
      details: { eventStore: { status: 'up' }, sagaStore: { status: 'up' }, subscriptions },
    });
  });

  it('should answer 503 within 5 seconds when PostgreSQL stops, naming what is down', async () => {
    // When
    await postgres.stop();
    await healthBecomes(demo, 503, 5000);
    // Then
    const response = await demo.http().get('/health').expect(503);
    expect(response.body.status).toBe('error');
    expect(response.body.error.eventStore.status).toBe('down');
    expect(response.body.error.sagaStore.status).toBe('down');
    expect(typeof response.body.error.eventStore.message).toBe('string');
    // Routes that need no storage keep working.
    await demo.http().get('/').expect(200);
  });

  it('should answer 200 again within 5 seconds when PostgreSQL is back, without a restart', async () => {
    await postgres.start();
    await healthBecomes(demo, 200, 5000);
    const order = await demo
      .http()
      .post('/orders')
      .send({ customer_id: 'c-9', items: [{ sku: 'A', quantity: 1, price: 2 }] });
    expect(order.status).toBe(201);
  });
});
