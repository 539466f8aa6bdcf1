import { useMysqlDatabase } from '../support/mysql-database';
import { bootDemo, createOrder, fulfillBody } from './demo-support';

describe('the demo on MariaDB (DATABASE_URL=mysql://...)', () => {
  const db = useMysqlDatabase();

  it('should keep orders across a restart, rebuilding its in-memory read model from the log', async () => {
    // Given: orders written by a first process
    const first = await bootDemo({ databaseUrl: db.url });
    const shipped = await createOrder(first, 'customer-m');
    const fulfilled = await createOrder(first, 'customer-m');
    await first
      .http()
      .post(`/orders/${shipped}/ship`)
      .send({ tracking_number: 'TRK-M' })
      .expect(200);
    const saga = await first
      .http()
      .post(`/orders/${fulfilled}/fulfill`)
      .send(fulfillBody({ customerId: 'customer-m' }))
      .expect(200);
    await first.close();

    // When: a second process starts on the same database
    const second = await bootDemo({ databaseUrl: db.url });
    try {
      // Then
      const order = await second.http().get(`/orders/${shipped}`).expect(200);
      expect(order.body).toMatchObject({
        id: shipped,
        status: 'shipped',
        customer_id: 'customer-m',
      });
      const list = await second
        .http()
        .get('/orders')
        .query({ customer_id: 'customer-m' })
        .expect(200);
      expect(list.body.orders ?? list.body).toHaveLength(2);
      await second
        .http()
        .post(`/orders/${shipped}/cancel`)
        .send({ reason: 'too late' })
        .expect(409);
      const fulfilment = await second.http().get(`/orders/${fulfilled}/fulfillment`).expect(200);
      expect(fulfilment.body).toMatchObject({ saga_id: saga.body.saga_id, status: 'completed' });
    } finally {
      await second.close();
    }
  });
});
