import {
  CapturingLogger,
  createOrder,
  fulfillBody,
  ledgerOf,
  settledFulfillment,
  useDemo,
} from './demo-support';

describe('the demo on the embedded default (no DATABASE_URL)', () => {
  const logger = new CapturingLogger();
  const demo = useDemo(undefined, logger);

  it('should say in one log line that it runs in memory', () => {
    const storage = logger.lines.filter((line) => line.includes('Storage:'));
    expect(storage).toEqual([expect.stringContaining('embedded in-memory')]);
  });

  it('should answer GET / when it is up', async () => {
    const response = await demo.http().get('/').expect(200);
    expect(response.body).toEqual({ name: 'cello-demo', status: 'ok' });
  });

  it('should run the order lifecycle: create, read, list, ship, refuse, snapshot', async () => {
    const id = await createOrder(demo, 'smoke');
    await demo.http().get(`/orders/${id}`).expect(200);
    const list = await demo.http().get('/orders').query({ customer_id: 'smoke' }).expect(200);
    expect(list.body.orders).toHaveLength(1);
    await demo.http().post(`/orders/${id}/ship`).send({ tracking_number: 'T' }).expect(200);
    await demo.http().post(`/orders/${id}/cancel`).send({ reason: 'late' }).expect(409);
    const snapshot = await demo.http().post(`/orders/${id}/snapshot`).expect(200);
    expect(snapshot.body).toEqual({ snapshot: 'created', version: 2 });
    await demo.http().get('/orders/unknown').expect(404);
  });

  it('should fulfil, and compensate each failure rule as the ledger shows', async () => {
    // Given
    const ok = await createOrder(demo);
    const stock = await createOrder(demo);
    const pay = await createOrder(demo);
    const ship = await createOrder(demo);
    // When
    await demo.http().post(`/orders/${ok}/fulfill`).send(fulfillBody()).expect(200);
    await demo
      .http()
      .post(`/orders/${stock}/fulfill`)
      .send(fulfillBody({ sku: 'OUT-OF-STOCK' }))
      .expect(500);
    await demo
      .http()
      .post(`/orders/${pay}/fulfill`)
      .send(fulfillBody({ total: 10001 }))
      .expect(500);
    await demo
      .http()
      .post(`/orders/${ship}/fulfill`)
      .send(fulfillBody({ country: 'XX' }))
      .expect(500);
    // Then
    const actions = async (id: string) => (await ledgerOf(demo, id)).map(([, action]) => action);
    expect(await actions(ok)).toEqual(['reserve', 'charge', 'ship']);
    expect(await actions(stock)).toEqual([]);
    expect(await actions(pay)).toEqual(['reserve', 'release']);
    expect(await actions(ship)).toEqual(['reserve', 'charge', 'refund', 'release']);
  });

  it('should run a fulfilment in the background with mode=async', async () => {
    const id = await createOrder(demo);
    const started = await demo
      .http()
      .post(`/orders/${id}/fulfill?mode=async`)
      .send(fulfillBody())
      .expect(202);
    const settled = await settledFulfillment(demo, id);
    expect(settled).toMatchObject({ saga_id: started.body.saga_id, status: 'completed' });
  });

  it('should answer 400 with the problems for a malformed body', async () => {
    const response = await demo
      .http()
      .post('/orders')
      .send({ customer_id: 'c', items: [{ sku: 'A', quantity: -1, price: 1 }] })
      .expect(400);
    expect(response.body.message).toEqual(['items.0.quantity must not be less than 1']);
  });
});
