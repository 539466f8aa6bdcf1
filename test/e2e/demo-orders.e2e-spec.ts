import { usePostgresDatabase } from '../support/postgres-database';
import { CapturingLogger, createOrder, orderBody, useDemo } from './demo-support';

describe('the demo orders API on PostgreSQL', () => {
  const db = usePostgresDatabase();
  const logger = new CapturingLogger();
  const demo = useDemo(() => ({ databaseUrl: db.url }), logger);

  it('should say in one log line that it uses PostgreSQL, without the password', () => {
    const storage = logger.lines.filter((line) => line.includes('Storage:'));
    expect(storage).toEqual([expect.stringContaining('Storage: PostgreSQL at postgres://***@')]);
    expect(storage[0]).toContain('schema "demo_read"');
  });

  describe('when an order is created', () => {
    it('should answer 201 with its id and serve it from the read model at once', async () => {
      // When
      const created = await demo.http().post('/orders').send(orderBody('ada')).expect(201);
      // Then
      expect(created.body).toEqual({ order_id: expect.any(String), status: 'created' });
      const order = await demo.http().get(`/orders/${created.body.order_id}`).expect(200);
      expect(order.body).toMatchObject({
        id: created.body.order_id,
        status: 'created',
        customer_id: 'ada',
        items: orderBody().items,
        total: 28.6,
        tracking_number: null,
        version: 1,
      });
    });
  });

  describe('when an unknown order is asked for', () => {
    it('should answer 404 naming it', async () => {
      const response = await demo.http().get('/orders/no-such-order').expect(404);
      expect(response.body).toMatchObject({ code: 'order-not-found' });
      expect(response.body.message).toContain('no-such-order');
    });
  });

  describe('when orders are listed', () => {
    it('should filter by customer and status, newest first, within the limit', async () => {
      // Given
      const first = await createOrder(demo, 'bob');
      const second = await createOrder(demo, 'bob');
      const third = await createOrder(demo, 'bob');
      await createOrder(demo, 'carol');
      await demo
        .http()
        .post(`/orders/${second}/cancel`)
        .send({ reason: 'changed mind' })
        .expect(200);
      // When
      const all = await demo.http().get('/orders').query({ customer_id: 'bob' }).expect(200);
      const created = await demo
        .http()
        .get('/orders')
        .query({ customer_id: 'bob', status: 'created' })
        .expect(200);
      const limited = await demo
        .http()
        .get('/orders')
        .query({ customer_id: 'bob', limit: 1 })
        .expect(200);
      // Then
      const ids = (body: { orders: { id: string }[] }) => body.orders.map((order) => order.id);
      expect(ids(all.body)).toEqual([third, second, first]);
      expect(ids(created.body)).toEqual([third, first]);
      expect(ids(limited.body)).toEqual([third]);
    });

    it('should return at most 50 by default and accept up to 500', async () => {
      // Given
      await Promise.all(Array.from({ length: 55 }, () => createOrder(demo, 'many')));
      // When
      const byDefault = await demo.http().get('/orders').query({ customer_id: 'many' }).expect(200);
      const atMost = await demo
        .http()
        .get('/orders')
        .query({ customer_id: 'many', limit: 500 })
        .expect(200);
      // Then
      expect(byDefault.body.orders).toHaveLength(50);
      expect(atMost.body.orders).toHaveLength(55);
    });

    it.each([['501'], ['0'], ['ten']])('should refuse limit=%s with 400', async (limit) => {
      const response = await demo.http().get('/orders').query({ limit }).expect(400);
      expect(response.body.message.join(' ')).toContain('limit');
    });

    it('should refuse an unknown status with 400', async () => {
      const response = await demo.http().get('/orders').query({ status: 'lost' }).expect(400);
      expect(response.body.message.join(' ')).toContain('status');
    });
  });

  describe('when an order is shipped', () => {
    it('should answer with the new state, and 409 when shipped again', async () => {
      // Given
      const id = await createOrder(demo);
      // When
      const shipped = await demo
        .http()
        .post(`/orders/${id}/ship`)
        .send({ tracking_number: 'TRK-1' })
        .expect(200);
      const again = await demo
        .http()
        .post(`/orders/${id}/ship`)
        .send({ tracking_number: 'TRK-2' })
        .expect(409);
      // Then
      expect(shipped.body).toMatchObject({ id, status: 'shipped', tracking_number: 'TRK-1' });
      expect(again.body).toMatchObject({ code: 'invalid-order-transition' });
      const order = await demo.http().get(`/orders/${id}`).expect(200);
      expect(order.body).toMatchObject({ status: 'shipped', tracking_number: 'TRK-1', version: 2 });
    });

    it('should answer 404 for an unknown order', async () => {
      await demo.http().post('/orders/nope/ship').send({ tracking_number: 'T' }).expect(404);
    });
  });

  describe('when an order is cancelled', () => {
    it('should answer with the new state, then refuse to ship it with 409', async () => {
      // Given
      const id = await createOrder(demo);
      // When
      const cancelled = await demo
        .http()
        .post(`/orders/${id}/cancel`)
        .send({ reason: 'customer asked' })
        .expect(200);
      const ship = await demo
        .http()
        .post(`/orders/${id}/ship`)
        .send({ tracking_number: 'TRK-1' })
        .expect(409);
      // Then
      expect(cancelled.body).toMatchObject({
        status: 'cancelled',
        cancel_reason: 'customer asked',
      });
      expect(ship.body.message).toBe(`Order ${id} is cancelled and cannot be shipped`);
    });

    it('should refuse to cancel a shipped order with 409', async () => {
      const id = await createOrder(demo);
      await demo.http().post(`/orders/${id}/ship`).send({ tracking_number: 'T' }).expect(200);
      await demo.http().post(`/orders/${id}/cancel`).send({ reason: 'late' }).expect(409);
    });
  });

  describe('when an order is snapshotted', () => {
    it('should report the version, and keep loading from the snapshot plus later events', async () => {
      // Given
      const id = await createOrder(demo);
      // When
      const snapshot = await demo.http().post(`/orders/${id}/snapshot`).expect(200);
      const shipped = await demo
        .http()
        .post(`/orders/${id}/ship`)
        .send({ tracking_number: 'AFTER-SNAPSHOT' })
        .expect(200);
      const cancel = await demo.http().post(`/orders/${id}/cancel`).send({ reason: 'x' });
      // Then
      expect(snapshot.body).toEqual({ snapshot: 'created', version: 1 });
      expect(shipped.body).toMatchObject({ status: 'shipped', version: 2 });
      expect(cancel.status).toBe(409);
    });

    it('should answer 404 for an unknown order', async () => {
      await demo.http().post('/orders/nope/snapshot').expect(404);
    });
  });
});
