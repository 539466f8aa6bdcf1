import { EventStore } from '@cello/event-sourcing';
import { usePostgresDatabase } from '../support/postgres-database';
import { fulfillBody, orderBody, useDemo } from './demo-support';

describe('the demo keeps the correlation id of a request on PostgreSQL', () => {
  const db = usePostgresDatabase();
  const demo = useDemo(() => ({ databaseUrl: db.url }));

  async function eventsOf(orderId: string) {
    return demo.app.get(EventStore).readStream(orderId);
  }

  describe('when POST /orders names x-correlation-id abc', () => {
    it('should store correlationId abc and a causationId on OrderCreated', async () => {
      // When
      const response = await demo
        .http()
        .post('/orders')
        .set('x-correlation-id', 'abc')
        .send(orderBody())
        .expect(201);
      // Then
      const [created] = await eventsOf(response.body.order_id);
      expect(created.type).toBe('OrderCreated');
      expect(created.metadata).toMatchObject({
        correlationId: 'abc',
        causationId: expect.any(String),
      });
    });
  });

  describe('when the request has a traceparent and no x-correlation-id', () => {
    it("should use the traceparent's trace id", async () => {
      // When
      const response = await demo
        .http()
        .post('/orders')
        .set('traceparent', '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01')
        .send(orderBody())
        .expect(201);
      // Then
      const [created] = await eventsOf(response.body.order_id);
      expect(created.metadata.correlationId).toBe('0af7651916cd43dd8448eb211c80319c');
    });
  });

  describe('when an order is fulfilled with x-correlation-id', () => {
    it("should store the request's correlation id on the events the fulfilment appends", async () => {
      // Given
      const created = await demo.http().post('/orders').send(orderBody()).expect(201);
      const id = created.body.order_id as string;
      // When
      await demo
        .http()
        .post(`/orders/${id}/fulfill`)
        .set('x-correlation-id', 'fulfil-1')
        .send(fulfillBody())
        .expect(200);
      // Then
      const events = await eventsOf(id);
      const linked = events.filter((event) => event.type !== 'OrderCreated');
      expect(linked.length).toBeGreaterThan(0);
      for (const event of linked) {
        expect(event.metadata).toMatchObject({
          correlationId: 'fulfil-1',
          causationId: expect.any(String),
        });
      }
      expect(events[0].metadata.correlationId).not.toBe('fulfil-1');
    });
  });
});
