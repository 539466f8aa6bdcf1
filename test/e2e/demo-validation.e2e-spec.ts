import { usePostgresDatabase } from '../support/postgres-database';
import { createOrder, fulfillBody, ledgerOf, useDemo } from './demo-support';

/** The problems a 400 lists, as one string to search. */
function problems(body: { message?: unknown }): string {
  expect(Array.isArray(body.message)).toBe(true);
  return (body.message as string[]).join(' | ');
}

describe('the demo with malformed requests', () => {
  const db = usePostgresDatabase();
  const demo = useDemo(() => ({ databaseUrl: db.url }));

  describe('when POST /orders gets a malformed body', () => {
    it.each([
      ['an empty object', {}, ['customer_id must be a string', 'items must be an array']],
      [
        'a number for customer_id',
        { customer_id: 42, items: [{ sku: 'A', quantity: 1, price: 1 }] },
        ['customer_id must be a string'],
      ],
      ['items that are not a list', { customer_id: 'c', items: 'A' }, ['items must be an array']],
      ['no items', { customer_id: 'c', items: [] }, ['items must contain at least 1 elements']],
      [
        'a negative quantity',
        { customer_id: 'c', items: [{ sku: 'A', quantity: -2, price: 1 }] },
        ['items.0.quantity must not be less than 1'],
      ],
      [
        'a fractional quantity',
        { customer_id: 'c', items: [{ sku: 'A', quantity: 1.5, price: 1 }] },
        ['items.0.quantity must be an integer number'],
      ],
      [
        'a quantity given as text',
        { customer_id: 'c', items: [{ sku: 'A', quantity: '2', price: 1 }] },
        ['items.0.quantity must be an integer number'],
      ],
      [
        'a negative price and no sku',
        { customer_id: 'c', items: [{ quantity: 1, price: -1 }] },
        ['items.0.price must not be less than 0', 'items.0.sku must be a string'],
      ],
      ['a null item', { customer_id: 'c', items: [null] }, ['items']],
    ])('should answer 400 listing the problems for %s', async (_case, body, expected) => {
      // When
      const response = await demo.http().post('/orders').send(body).expect(400);
      // Then
      const listed = problems(response.body);
      for (const problem of expected) expect(listed).toContain(problem);
    });

    it.each([
      ['malformed JSON', '{"customer_id": "c", "items": [', 'application/json'],
      ['a JSON string', '"an order"', 'application/json'],
      ['a JSON array', '[{"customer_id": "c"}]', 'application/json'],
      ['JSON null', 'null', 'application/json'],
      ['plain text', 'customer_id=c', 'text/plain'],
    ])('should answer 400 for %s, never 500', async (_case, raw, type) => {
      const response = await demo.http().post('/orders').set('Content-Type', type).send(raw);
      expect(response.status).toBe(400);
      expect(problems(response.body).length).toBeGreaterThan(0);
    });

    it('should have stored no order', async () => {
      const response = await demo.http().get('/orders').expect(200);
      expect(response.body.orders).toEqual([]);
    });
  });

  describe('when ship or cancel gets a malformed body', () => {
    it('should answer 400 naming tracking_number or reason', async () => {
      const id = await createOrder(demo);
      const ship = await demo.http().post(`/orders/${id}/ship`).send({}).expect(400);
      const cancel = await demo
        .http()
        .post(`/orders/${id}/cancel`)
        .send({ reason: '' })
        .expect(400);
      expect(problems(ship.body)).toContain('tracking_number must be a string');
      expect(problems(cancel.body)).toContain('reason should not be empty');
      const order = await demo.http().get(`/orders/${id}`).expect(200);
      expect(order.body.status).toBe('created');
    });
  });

  describe('when fulfil gets a malformed body', () => {
    it.each([
      ['no address', { ...fulfillBody(), address: undefined }, 'address'],
      ['an address as text', { ...fulfillBody(), address: 'FR' }, 'address'],
      ['a lower-case country', { ...fulfillBody(), address: { country: 'fr' } }, 'address.country'],
      ['a total as text', { ...fulfillBody(), total: '28.60' }, 'total must be a number'],
      ['a negative total', { ...fulfillBody(), total: -1 }, 'total must not be less than 0'],
      ['three decimals', { ...fulfillBody(), total: 1.005 }, 'total must be a number'],
    ])('should answer 400 for %s and call no service', async (_case, body, expected) => {
      const id = await createOrder(demo);
      const response = await demo.http().post(`/orders/${id}/fulfill`).send(body).expect(400);
      expect(problems(response.body)).toContain(expected);
      expect(await ledgerOf(demo, id)).toEqual([]);
    });

    it('should answer 400 for an unknown mode', async () => {
      const id = await createOrder(demo);
      const response = await demo
        .http()
        .post(`/orders/${id}/fulfill`)
        .query({ mode: 'later' })
        .send(fulfillBody())
        .expect(400);
      expect(problems(response.body)).toContain('mode must be one of the following values');
    });
  });

  describe('when the ledger is asked for with a repeated order_id', () => {
    it('should answer 400', async () => {
      const response = await demo.http().get('/demo/ledger?order_id=a&order_id=b').expect(400);
      expect(problems(response.body)).toContain('order_id must be a string');
    });
  });
});
