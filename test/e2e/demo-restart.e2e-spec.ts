import { usePostgresDatabase } from '../support/postgres-database';
import {
  bootDemo,
  createOrder,
  fulfillBody,
  settledFulfillment,
  type RunningDemo,
} from './demo-support';

describe('the demo restarted on the same PostgreSQL database', () => {
  const db = usePostgresDatabase();
  const ids: Record<'created' | 'shipped' | 'cancelled' | 'fulfilled' | 'compensated', string> = {
    created: '',
    shipped: '',
    cancelled: '',
    fulfilled: '',
    compensated: '',
  };
  const before = new Map<string, unknown>();
  let ledgerBefore: unknown;
  let fulfilmentsBefore: unknown[];
  let second: RunningDemo;

  beforeAll(async () => {
    // Given: orders in every state, a fulfilled and a compensated saga, then a stop
    const first = await bootDemo({ databaseUrl: db.url });
    for (const key of Object.keys(ids) as (keyof typeof ids)[]) ids[key] = await createOrder(first);
    await first.http().post(`/orders/${ids.shipped}/ship`).send({ tracking_number: 'T-1' });
    await first.http().post(`/orders/${ids.cancelled}/cancel`).send({ reason: 'no longer needed' });
    await first.http().post(`/orders/${ids.fulfilled}/fulfill`).send(fulfillBody()).expect(200);
    await first
      .http()
      .post(`/orders/${ids.compensated}/fulfill`)
      .send(fulfillBody({ country: 'XX' }))
      .expect(500);
    await first.http().post(`/orders/${ids.shipped}/snapshot`).expect(200);
    for (const id of Object.values(ids)) {
      before.set(id, (await first.http().get(`/orders/${id}`).expect(200)).body);
    }
    ledgerBefore = (await first.http().get('/demo/ledger').expect(200)).body;
    fulfilmentsBefore = [
      await settledFulfillment(first, ids.fulfilled),
      await settledFulfillment(first, ids.compensated),
    ];
    await first.close();
    // When
    second = await bootDemo({ databaseUrl: db.url });
  });

  afterAll(async () => {
    await second.close();
  });

  it('should serve every order exactly as before', async () => {
    for (const [id, order] of before) {
      const response = await second.http().get(`/orders/${id}`).expect(200);
      expect(response.body).toEqual(order);
    }
    const list = await second.http().get('/orders').expect(200);
    expect(list.body.orders.map((order: { id: string }) => order.id).sort()).toEqual(
      [...before.keys()].sort(),
    );
  });

  it('should keep the ledger and the fulfilment results', async () => {
    expect((await second.http().get('/demo/ledger').expect(200)).body).toEqual(ledgerBefore);
    expect(await settledFulfillment(second, ids.fulfilled)).toEqual(fulfilmentsBefore[0]);
    expect(await settledFulfillment(second, ids.compensated)).toEqual(fulfilmentsBefore[1]);
  });

  it('should rebuild orders from their events and snapshots for new commands', async () => {
    // The snapshotted order still refuses what its state forbids.
    await second.http().post(`/orders/${ids.shipped}/cancel`).send({ reason: 'late' }).expect(409);
    await second
      .http()
      .post(`/orders/${ids.cancelled}/ship`)
      .send({ tracking_number: 'T' })
      .expect(409);
    const shipped = await second
      .http()
      .post(`/orders/${ids.created}/ship`)
      .send({ tracking_number: 'T-2' })
      .expect(200);
    expect(shipped.body).toMatchObject({ status: 'shipped', version: 2 });
    const fresh = await createOrder(second);
    const list = await second.http().get('/orders').query({ limit: 1 }).expect(200);
    expect(list.body.orders[0].id).toBe(fresh);
  });
});
