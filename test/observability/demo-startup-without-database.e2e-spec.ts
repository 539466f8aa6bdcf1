import { startPrivatePostgres, type PrivatePostgres } from '../support/private-postgres';
import { bootDemo, fulfillBody, orderBody, type RunningDemo } from '../e2e/demo-support';
import { eventually } from '../support/eventually';

describe('the demo started while PostgreSQL is down', () => {
  let postgres: PrivatePostgres;
  let demo: RunningDemo;

  beforeAll(async () => {
    postgres = await startPrivatePostgres();
    await postgres.stop();
    demo = await bootDemo({ databaseUrl: postgres.url });
  });

  afterAll(async () => {
    await demo?.close();
    await postgres?.destroy();
  });

  it('should start and serve routes that need no storage', async () => {
    await demo.http().get('/').expect(200);
  });

  it('should fail storage routes fast with 503, and report 503 at /health', async () => {
    const started = Date.now();
    const response = await demo.http().post('/orders').send(orderBody());
    expect(response.status).toBe(503);
    expect(Date.now() - started).toBeLessThan(10_000);
    await demo.http().get('/health').expect(503);
  });

  it('should connect by itself when the database appears', async () => {
    // When
    await postgres.start();
    // Then
    await eventually(() => demo.http().get('/health').expect(200), 5000);
    const created = await eventually(
      () => demo.http().post('/orders').send(orderBody()).expect(201),
      5000,
    );
    const orderId = (created.body as { order_id: string }).order_id;
    await demo.http().get(`/orders/${orderId}`).expect(200);
    // Sagas run too: their storage connected in the background.
    const fulfilled = await demo.http().post(`/orders/${orderId}/fulfill`).send(fulfillBody());
    expect(fulfilled.status).toBe(200);
  });
});
