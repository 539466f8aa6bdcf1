import { usePostgresDatabase } from '../support/postgres-database';
import { waitUntil } from '../support/eventually';
import { createOrder, fulfillBody, useDemo } from './demo-support';

/** Fulfilment bodies no database can store, each poisoned in another field. */
const POISONS: [field: string, poison: (body: ReturnType<typeof fulfillBody>) => void][] = [
  ['customer_id', (body) => (body.customer_id = 'lone \ud800x')],
  ['items.0.sku', (body) => (body.items[0].sku = 'low \udc00')],
  ['address.city', (body) => (body.address.city = 'nul\u0000')],
  ['address.name', (body) => (body.address.name = 'high at end \udbff')],
];

describe('the demo with bodies that cannot be stored (PostgreSQL)', () => {
  const db = usePostgresDatabase();
  const demo = useDemo(() => ({ databaseUrl: db.url }));

  describe('when 60 good and 20 poisoned fulfilments arrive at once', () => {
    it('should answer 400 naming the field to each poisoned one, and run every good one', async () => {
      // Given: 80 orders
      const orders: string[] = [];
      for (let i = 0; i < 80; i++) orders.push(await createOrder(demo, `customer-${i % 7}`));
      const poisoned = new Set(orders.filter((_, i) => i % 4 === 3));

      // When: all 80 at once, asynchronously (the saga is stored before the answer)
      const answers = await Promise.all(
        orders.map((orderId, i) => {
          const body = fulfillBody();
          const poison = poisoned.has(orderId) ? POISONS[i % POISONS.length] : undefined;
          poison?.[1](body);
          return demo
            .http()
            .post(`/orders/${orderId}/fulfill`)
            .query({ mode: 'async' })
            .send(body)
            .then((response) => ({ orderId, field: poison?.[0], response }));
        }),
      );

      // Then: nothing unavailable; each poisoned request gets 400 naming its field
      expect(answers.filter(({ response }) => response.status >= 500)).toEqual([]);
      for (const { orderId, field, response } of answers) {
        if (field === undefined) {
          expect(response.status).toBe(202);
          continue;
        }
        expect(response.status).toBe(400);
        const message = (response.body as { message: string[] }).message.join(' | ');
        expect(message).toContain(`${field} must not contain`);
        // And nothing was started for it
        await demo.http().get(`/orders/${orderId}/fulfillment`).expect(404);
      }
      // And every good saga runs to its end
      const good = orders.filter((orderId) => !poisoned.has(orderId));
      expect(good).toHaveLength(60);
      await waitUntil(
        'the 60 good sagas completed',
        async () => {
          const statuses = await Promise.all(
            good.map(async (orderId) => {
              const response = await demo.http().get(`/orders/${orderId}/fulfillment`);
              return (response.body as { status?: string }).status;
            }),
          );
          return statuses.every((status) => status === 'completed');
        },
        60_000,
      );
    }, 120_000);
  });

  describe('when a poisoned value comes in a query or on another route', () => {
    it('should answer 400 on create, ship, cancel and the order list too', async () => {
      // Given
      const orderId = await createOrder(demo, 'customer-q');
      // When
      const answers = [
        await demo
          .http()
          .post('/orders')
          .send({ customer_id: 'c\ud800', items: [{ sku: 'A', quantity: 1, price: 1 }] }),
        await demo.http().post(`/orders/${orderId}/ship`).send({ tracking_number: 'T\udfff' }),
        await demo.http().post(`/orders/${orderId}/cancel`).send({ reason: '\ud800' }),
        await demo.http().get('/orders').query({ customer_id: 'c\u0000' }),
      ];
      // Then
      for (const response of answers) {
        expect(response.status).toBe(400);
        expect(JSON.stringify(response.body)).toMatch(/must not contain/);
      }
      const order = await demo.http().get(`/orders/${orderId}`).expect(200);
      expect(order.body).toMatchObject({ status: 'created', version: 1 });
    });
  });
});
