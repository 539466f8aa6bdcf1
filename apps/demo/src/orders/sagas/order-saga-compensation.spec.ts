import { DemoConfig } from '../../config/demo-config';
import { FaultInjector } from '../fake-services/fault-injector';
import { InventoryService } from '../fake-services/inventory.service';
import { MemoryLedger } from '../fake-services/memory-ledger';
import { PaymentService } from '../fake-services/payment.service';
import { ShippingService } from '../fake-services/shipping.service';
import { OrderSaga } from './order.saga';
import type { OrderSagaContext } from './order-saga-context';

function saga() {
  const ledger = new MemoryLedger();
  const faults = new FaultInjector(new DemoConfig());
  const services = {
    inventory: new InventoryService(ledger, faults),
    payment: new PaymentService(ledger, faults),
    shipping: new ShippingService(ledger, faults),
  };
  return {
    ledger,
    ...services,
    saga: new OrderSaga(services.inventory, services.payment, services.shipping),
  };
}

const context = (): OrderSagaContext => ({
  orderId: 'o1',
  customerId: 'c1',
  items: [{ sku: 'BOOK-1', quantity: 2, price: 10 }],
  total: 20,
  address: { country: 'FR' },
});

const execution = (ctx: OrderSagaContext, step: string) => ({
  context: ctx,
  sagaId: 's1',
  sagaName: 'OrderSaga',
  stepName: step,
  idempotencyKey: `s1:${step}:compensate`,
  attempt: 1,
  signal: new AbortController().signal,
});

describe('OrderSaga compensations', () => {
  describe('when an action happened but its answer was lost with a crash (recovery gave up on it)', () => {
    it('should undo it by the reference its idempotency key implies', async () => {
      // Given a charge and a reservation made under the actions' keys, absent from the context
      const { saga: orderSaga, payment, inventory, ledger } = saga();
      await inventory.reserve({
        orderId: 'o1',
        items: context().items,
        idempotencyKey: 's1:reserve_inventory',
      });
      await payment.charge({
        orderId: 'o1',
        customerId: 'c1',
        amount: 20,
        idempotencyKey: 's1:process_payment',
      });
      const ctx = context();
      // When both are compensated
      await orderSaga.refundPayment(execution(ctx, 'process_payment'));
      await orderSaga.releaseInventory(execution(ctx, 'reserve_inventory'));
      // Then each is undone once
      const actions = (await ledger.list({ orderId: 'o1' })).map((e) => `${e.service}.${e.action}`);
      expect(actions).toEqual([
        'inventory.reserve',
        'payment.charge',
        'payment.refund',
        'inventory.release',
      ]);
    });
  });

  describe('when the lost action never happened', () => {
    it('should find nothing to undo, without failing', async () => {
      // Given no shipment was made
      const { saga: orderSaga, ledger } = saga();
      // When its compensation runs
      await orderSaga.cancelShipment(execution(context(), 'ship_order'));
      // Then nothing is recorded
      expect(await ledger.list({ orderId: 'o1' })).toEqual([]);
    });
  });
});
