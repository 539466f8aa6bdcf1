import { FaultInjector } from '../../apps/demo/src/orders/fake-services/fault-injector';
import { usePostgresDatabase } from '../support/postgres-database';
import {
  bootDemo,
  createOrder,
  fulfillBody,
  ledgerOf,
  settledFulfillment,
  type RunningDemo,
  useDemo,
} from './demo-support';

const ALL_STEPS = ['reserve_inventory', 'process_payment', 'ship_order'];

describe('the demo OrderSaga on PostgreSQL', () => {
  const db = usePostgresDatabase();
  const demo = useDemo(() => ({ databaseUrl: db.url }));

  describe('when every service accepts', () => {
    it('should answer 200 fulfilled and leave one reserve, charge and ship in the ledger', async () => {
      // Given
      const id = await createOrder(demo);
      // When
      const response = await demo
        .http()
        .post(`/orders/${id}/fulfill`)
        .send(fulfillBody())
        .expect(200);
      // Then
      expect(response.body).toEqual({
        status: 'fulfilled',
        steps_completed: ALL_STEPS,
        saga_id: expect.any(String),
        tracking_number: expect.stringMatching(/^TRK-/),
      });
      expect(await ledgerOf(demo, id)).toEqual([
        ['inventory', 'reserve', 5],
        ['payment', 'charge', 28.6],
        ['shipping', 'ship', 5],
      ]);
      const ledger = await demo.http().get('/demo/ledger').query({ order_id: id }).expect(200);
      expect(ledger.body.entries[1]).toEqual({
        sequence: expect.any(Number),
        service: 'payment',
        action: 'charge',
        order_id: id,
        amount: 28.6,
        idempotency_key: `${response.body.saga_id}:process_payment`,
        reference: expect.stringMatching(/^pay_/),
        at: expect.any(String),
      });
      const status = await demo.http().get(`/orders/${id}/fulfillment`).expect(200);
      expect(status.body).toMatchObject({
        saga_id: response.body.saga_id,
        status: 'completed',
        steps_completed: ALL_STEPS,
        failed_step: null,
        error: null,
      });
    });
  });

  describe('when inventory refuses the sku OUT-OF-STOCK', () => {
    it('should answer 500 at reserve_inventory with nothing to compensate', async () => {
      // Given
      const id = await createOrder(demo);
      // When
      const response = await demo
        .http()
        .post(`/orders/${id}/fulfill`)
        .send(fulfillBody({ sku: 'OUT-OF-STOCK' }))
        .expect(500);
      // Then
      expect(response.body).toMatchObject({
        status: 'failed',
        failed_step: 'reserve_inventory',
        saga_id: expect.any(String),
        compensated_steps: [],
      });
      expect(response.body.error).toContain('OUT-OF-STOCK is out of stock');
      expect(await ledgerOf(demo, id)).toEqual([]);
    });
  });

  describe('when payment declines a total above 10000', () => {
    it('should answer 500 at process_payment and release the reservation', async () => {
      // Given
      const id = await createOrder(demo);
      // When
      const response = await demo
        .http()
        .post(`/orders/${id}/fulfill`)
        .send(fulfillBody({ total: 10000.01 }))
        .expect(500);
      // Then
      expect(response.body).toMatchObject({
        status: 'failed',
        failed_step: 'process_payment',
        compensated_steps: ['reserve_inventory'],
      });
      expect(response.body.error).toContain('declined');
      expect(await ledgerOf(demo, id)).toEqual([
        ['inventory', 'reserve', 5],
        ['inventory', 'release', 5],
      ]);
    });
  });

  describe('when shipping refuses the country XX', () => {
    it('should answer 500 at ship_order, refund then release', async () => {
      // Given
      const id = await createOrder(demo);
      // When
      const response = await demo
        .http()
        .post(`/orders/${id}/fulfill`)
        .send(fulfillBody({ country: 'XX' }))
        .expect(500);
      // Then
      expect(response.body).toMatchObject({
        status: 'failed',
        failed_step: 'ship_order',
        compensated_steps: ['process_payment', 'reserve_inventory'],
      });
      expect(await ledgerOf(demo, id)).toEqual([
        ['inventory', 'reserve', 5],
        ['payment', 'charge', 28.6],
        ['payment', 'refund', 28.6],
        ['inventory', 'release', 5],
      ]);
      const status = await demo.http().get(`/orders/${id}/fulfillment`).expect(200);
      expect(status.body).toMatchObject({
        saga_id: response.body.saga_id,
        status: 'compensated',
        failed_step: 'ship_order',
        error: expect.stringContaining('XX'),
      });
    });
  });

  describe('when fulfilment is asked for with mode=async', () => {
    it('should answer 202 with the saga id at once, then report it completed', async () => {
      // Given
      const id = await createOrder(demo);
      // When
      const started = await demo
        .http()
        .post(`/orders/${id}/fulfill`)
        .query({ mode: 'async' })
        .send(fulfillBody())
        .expect(202);
      const settled = await settledFulfillment(demo, id);
      // Then
      expect(started.body).toEqual({ saga_id: expect.any(String) });
      expect(settled).toMatchObject({
        saga_id: started.body.saga_id,
        status: 'completed',
        steps_completed: ALL_STEPS,
      });
      expect(await ledgerOf(demo, id)).toEqual([
        ['inventory', 'reserve', 5],
        ['payment', 'charge', 28.6],
        ['shipping', 'ship', 5],
      ]);
    });

    it('should report a failing run compensated', async () => {
      const id = await createOrder(demo);
      await demo
        .http()
        .post(`/orders/${id}/fulfill?mode=async`)
        .send(fulfillBody({ total: 20000 }))
        .expect(202);
      const settled = await settledFulfillment(demo, id);
      expect(settled).toMatchObject({
        status: 'compensated',
        failed_step: 'process_payment',
        steps_completed: ['reserve_inventory'],
        compensated_steps: ['reserve_inventory'],
      });
    });
  });

  describe('when a client repeats a fulfilment with the same Idempotency-Key', () => {
    it('should answer the first saga again and charge once', async () => {
      // Given a fulfilment that went through
      const id = await createOrder(demo);
      const first = await demo
        .http()
        .post(`/orders/${id}/fulfill`)
        .set('Idempotency-Key', 'checkout-7f3a')
        .send(fulfillBody())
        .expect(200);
      // When the client retries it (say its first answer got lost), also as an async request
      const again = await demo
        .http()
        .post(`/orders/${id}/fulfill`)
        .set('Idempotency-Key', 'checkout-7f3a')
        .send(fulfillBody())
        .expect(200);
      const asyncAgain = await demo
        .http()
        .post(`/orders/${id}/fulfill?mode=async`)
        .set('Idempotency-Key', 'checkout-7f3a')
        .send(fulfillBody())
        .expect(202);
      // Then
      expect(again.body).toEqual(first.body);
      expect(asyncAgain.body).toEqual({ saga_id: first.body.saga_id });
      expect(await ledgerOf(demo, id)).toEqual([
        ['inventory', 'reserve', 5],
        ['payment', 'charge', 28.6],
        ['shipping', 'ship', 5],
      ]);
    });

    it('should answer 400 for a key that is not 1 to 64 plain characters, and touch no service', async () => {
      const id = await createOrder(demo);
      const response = await demo
        .http()
        .post(`/orders/${id}/fulfill`)
        .set('Idempotency-Key', 'has spaces and "quotes"')
        .send(fulfillBody())
        .expect(400);
      expect(JSON.stringify(response.body)).toMatch(/Idempotency-Key/);
      expect(await ledgerOf(demo, id)).toEqual([]);
    });
  });

  describe('when the order cannot be fulfilled', () => {
    it('should answer 404 for an unknown order and touch no service', async () => {
      await demo.http().post('/orders/nope/fulfill').send(fulfillBody()).expect(404);
      expect(await ledgerOf(demo, 'nope')).toEqual([]);
    });

    it('should answer 409 for a cancelled order and touch no service', async () => {
      const id = await createOrder(demo);
      await demo.http().post(`/orders/${id}/cancel`).send({ reason: 'x' }).expect(200);
      const response = await demo.http().post(`/orders/${id}/fulfill`).send(fulfillBody());
      expect(response.status).toBe(409);
      expect(await ledgerOf(demo, id)).toEqual([]);
    });

    it('should answer 404 for the fulfillment of an order never fulfilled', async () => {
      const id = await createOrder(demo);
      const response = await demo.http().get(`/orders/${id}/fulfillment`).expect(404);
      expect(response.body).toMatchObject({ code: 'fulfillment-not-found' });
    });
  });

  describe('when the fake services fail transiently', () => {
    const flakyDb = usePostgresDatabase('demo-fulfillment-flaky');
    let flaky: RunningDemo;

    beforeAll(async () => {
      // Every other call fails before doing anything; each step succeeds on its retry.
      let calls = 0;
      flaky = await bootDemo({
        databaseUrl: flakyDb.url,
        transientFailureRate: 0.5,
        random: () => (calls++ % 2 === 0 ? 0.1 : 0.9),
      });
    });

    afterAll(async () => {
      await flaky.close();
    });

    it('should retry each step and apply each effect exactly once', async () => {
      // Given
      const id = await createOrder(flaky);
      // When
      const response = await flaky.http().post(`/orders/${id}/fulfill`).send(fulfillBody());
      // Then
      expect(response.status).toBe(200);
      expect(response.body.steps_completed).toEqual(ALL_STEPS);
      expect(flaky.app.get(FaultInjector).transientFailures).toBe(3);
      expect(await ledgerOf(flaky, id)).toEqual([
        ['inventory', 'reserve', 5],
        ['payment', 'charge', 28.6],
        ['shipping', 'ship', 5],
      ]);
    });

    it('should retry compensations too, releasing and refunding exactly once', async () => {
      const id = await createOrder(flaky);
      const response = await flaky
        .http()
        .post(`/orders/${id}/fulfill`)
        .send(fulfillBody({ country: 'XX' }));
      expect(response.status).toBe(500);
      expect(response.body.saga_status).toBe('compensated');
      expect(await ledgerOf(flaky, id)).toEqual([
        ['inventory', 'reserve', 5],
        ['payment', 'charge', 28.6],
        ['payment', 'refund', 28.6],
        ['inventory', 'release', 5],
      ]);
    });
  });
});
