import { isCelloError } from '@cello/core';
import { DemoConfig } from '../../config/demo-config';
import { FaultInjector } from './fault-injector';
import { InventoryService } from './inventory.service';
import { MemoryLedger } from './memory-ledger';
import { PaymentService } from './payment.service';
import { ShippingService } from './shipping.service';
import { TransientServiceError } from './transient-service.error';

function services(config = new DemoConfig()) {
  const ledger = new MemoryLedger();
  const faults = new FaultInjector(config);
  return {
    ledger,
    faults,
    inventory: new InventoryService(ledger, faults),
    payment: new PaymentService(ledger, faults),
    shipping: new ShippingService(ledger, faults),
  };
}

const items = [
  { sku: 'BOOK-1', quantity: 2, price: 10 },
  { sku: 'PEN-1', quantity: 3, price: 1.5 },
];

describe('the fake services', () => {
  describe('when inventory is asked to reserve twice with the same idempotency key', () => {
    it('should record one reservation and answer the same both times', async () => {
      // Given
      const { inventory, ledger } = services();
      // When
      const first = await inventory.reserve({ orderId: 'o1', items, idempotencyKey: 'k1' });
      const second = await inventory.reserve({ orderId: 'o1', items, idempotencyKey: 'k1' });
      // Then
      expect(second).toEqual(first);
      const entries = await ledger.list({ orderId: 'o1' });
      expect(entries).toHaveLength(1);
      expect(entries[0]).toMatchObject({
        service: 'inventory',
        action: 'reserve',
        amount: 5,
        idempotencyKey: 'k1',
        reference: first.reservationId,
      });
    });
  });

  describe('when an item has the sku OUT-OF-STOCK', () => {
    it('should refuse with out-of-stock and record nothing', async () => {
      // Given
      const { inventory, ledger } = services();
      // When
      const attempt = inventory.reserve({
        orderId: 'o1',
        items: [...items, { sku: 'OUT-OF-STOCK', quantity: 1, price: 1 }],
        idempotencyKey: 'k1',
      });
      // Then
      await expect(attempt).rejects.toMatchObject({ code: 'out-of-stock', service: 'inventory' });
      expect(await ledger.list()).toEqual([]);
    });
  });

  describe('when a reservation is released twice under different keys', () => {
    it('should record one release of the reserved units', async () => {
      // Given
      const { inventory, ledger } = services();
      const { reservationId } = await inventory.reserve({
        orderId: 'o1',
        items,
        idempotencyKey: 'k1',
      });
      // When
      await inventory.release({ orderId: 'o1', reservationId, idempotencyKey: 'k2' });
      await inventory.release({ orderId: 'o1', reservationId, idempotencyKey: 'k3' });
      // Then
      const actions = (await ledger.list({ orderId: 'o1' })).map((e) => [e.action, e.amount]);
      expect(actions).toEqual([
        ['reserve', 5],
        ['release', 5],
      ]);
    });
  });

  describe('when a release names no known reservation', () => {
    it('should refuse with unknown-reservation', async () => {
      const { inventory } = services();
      await expect(
        inventory.release({ orderId: 'o1', reservationId: 'res_nope', idempotencyKey: 'k' }),
      ).rejects.toMatchObject({ code: 'unknown-reservation' });
    });
  });

  describe('when payment is asked to charge', () => {
    it('should accept 10000 and decline anything above it', async () => {
      // Given
      const { payment, ledger } = services();
      // When
      const accepted = await payment.charge({
        orderId: 'o1',
        customerId: 'c1',
        amount: 10000,
        idempotencyKey: 'k1',
      });
      const declined = payment.charge({
        orderId: 'o2',
        customerId: 'c1',
        amount: 10000.01,
        idempotencyKey: 'k2',
      });
      // Then
      expect(accepted.paymentId).toMatch(/^pay_/);
      await expect(declined).rejects.toMatchObject({ code: 'payment-declined' });
      expect((await ledger.list()).map((e) => [e.orderId, e.action, e.amount])).toEqual([
        ['o1', 'charge', 10000],
      ]);
    });

    it('should refund a charge in full once', async () => {
      const { payment, ledger } = services();
      const { paymentId } = await payment.charge({
        orderId: 'o1',
        customerId: 'c1',
        amount: 42.5,
        idempotencyKey: 'k1',
      });
      await payment.refund({ orderId: 'o1', paymentId, idempotencyKey: 'k2' });
      await payment.refund({ orderId: 'o1', paymentId, idempotencyKey: 'k2' });
      expect((await ledger.list({ orderId: 'o1' })).map((e) => [e.action, e.amount])).toEqual([
        ['charge', 42.5],
        ['refund', 42.5],
      ]);
    });
  });

  describe('when shipping is asked to ship', () => {
    it('should refuse the country XX and ship elsewhere with a tracking number', async () => {
      // Given
      const { shipping, ledger } = services();
      // When
      const refused = shipping.create({
        orderId: 'o1',
        items,
        address: { country: 'XX' },
        idempotencyKey: 'k1',
      });
      const shipped = await shipping.create({
        orderId: 'o2',
        items,
        address: { country: 'FR' },
        idempotencyKey: 'k2',
      });
      await shipping.cancel({
        orderId: 'o2',
        shipmentId: shipped.shipmentId,
        idempotencyKey: 'k3',
      });
      // Then
      await expect(refused).rejects.toMatchObject({ code: 'address-refused' });
      expect(shipped.trackingNumber).toMatch(/^TRK-/);
      expect((await ledger.list()).map((e) => [e.orderId, e.action, e.amount])).toEqual([
        ['o2', 'ship', 5],
        ['o2', 'cancel', 5],
      ]);
    });
  });

  describe('when the transient failure rate hits a call', () => {
    it('should fail with a retryable error before doing anything, then succeed on retry', async () => {
      // Given: the first draw fails, the second passes
      const draws = [0.1, 0.9];
      const { payment, ledger, faults } = services(
        new DemoConfig({ transientFailureRate: 0.5, random: () => draws.shift() ?? 0.9 }),
      );
      const call = { orderId: 'o1', customerId: 'c1', amount: 5, idempotencyKey: 'k1' };
      // When
      const failure = await payment.charge(call).catch((error: unknown) => error);
      const ledgerAfterFailure = await ledger.list();
      await payment.charge(call);
      // Then
      expect(isCelloError(failure, TransientServiceError.code)).toBe(true);
      expect(ledgerAfterFailure).toEqual([]);
      expect(faults.transientFailures).toBe(1);
      expect(await ledger.list()).toHaveLength(1);
    });
  });
});
