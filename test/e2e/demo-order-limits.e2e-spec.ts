import { ORDER_LIMITS } from '../../apps/demo/src/orders/dto/order-limits';
import { usePostgresDatabase } from '../support/postgres-database';
import { createOrder, fulfillBody, useDemo } from './demo-support';

describe('the demo at the limits of its read-model columns (PostgreSQL)', () => {
  const db = usePostgresDatabase();
  const demo = useDemo(() => ({ databaseUrl: db.url }));

  describe('when an order totals more than numeric(14, 2) holds', () => {
    it('should answer 400 naming the total, for 1e6 × 1e9 and for one cent over', async () => {
      // When
      const huge = await demo
        .http()
        .post('/orders')
        .send({ customer_id: 'c', items: [{ sku: 'A', quantity: 1e6, price: 1e9 }] });
      const centOver = await demo
        .http()
        .post('/orders')
        .send({
          customer_id: 'c',
          items: [
            { sku: 'A', quantity: 1e6, price: 999_999.99 },
            { sku: 'B', quantity: 1, price: 10_000 },
          ],
        });
      const fulfil = await demo
        .http()
        .post(`/orders/${await createOrder(demo)}/fulfill`)
        .send({ ...fulfillBody(), total: 1e12 });
      // Then
      for (const response of [huge, centOver]) {
        expect(response.status).toBe(400);
        expect(response.body).toMatchObject({
          message: [
            `items total (sum of quantity × price) must not be greater than ${ORDER_LIMITS.maxAmount}`,
          ],
        });
      }
      expect(fulfil.status).toBe(400);
      expect(fulfil.body).toMatchObject({
        message: [`total must not be greater than ${ORDER_LIMITS.maxAmount}`],
      });
    });
  });

  describe('when an order is the largest the API accepts', () => {
    it('should store it and read it back at GET /orders/:id', async () => {
      // Given: a total of exactly 999999999999.99, the longest strings, the most items
      const items = [
        { sku: 'S'.repeat(ORDER_LIMITS.skuLength), quantity: 1e6, price: 999_999.99 },
        { sku: 'B', quantity: 1, price: 9_999.99 },
        ...Array.from({ length: ORDER_LIMITS.maxItems - 2 }, (_, i) => ({
          sku: `Z-${i}`,
          quantity: 1,
          price: 0,
        })),
      ];
      const customerId = 'C'.repeat(ORDER_LIMITS.customerIdLength);
      // When
      const created = await demo.http().post('/orders').send({ customer_id: customerId, items });
      // Then
      expect(created.status).toBe(201);
      const orderId = (created.body as { order_id: string }).order_id;
      const read = await demo.http().get(`/orders/${orderId}`).expect(200);
      expect(read.body).toMatchObject({ customer_id: customerId, total: ORDER_LIMITS.maxAmount });
      expect((read.body as { items: unknown[] }).items).toHaveLength(ORDER_LIMITS.maxItems);
      // And its longest tracking number and cancel reason fit too
      const shipped = await demo
        .http()
        .post(`/orders/${orderId}/ship`)
        .send({ tracking_number: 'T'.repeat(ORDER_LIMITS.trackingNumberLength) });
      expect(shipped.status).toBe(200);
      const other = await createOrder(demo);
      const cancelled = await demo
        .http()
        .post(`/orders/${other}/cancel`)
        .send({ reason: 'R'.repeat(ORDER_LIMITS.cancelReasonLength) });
      expect(cancelled.status).toBe(200);
    });
  });
});
