import { given } from '@cello/event-sourcing/testing';
import { InvalidOrderTransitionError } from './errors/invalid-order-transition.error';
import { OrderCancelled } from './events/order-cancelled.event';
import { OrderCreated } from './events/order-created.event';
import { OrderFulfillmentLinked } from './events/order-fulfillment-linked.event';
import { OrderShipped } from './events/order-shipped.event';
import { Order } from './order.aggregate';

const items = [
  { sku: 'BOOK-42', quantity: 2, price: 12.5 },
  { sku: 'PEN-7', quantity: 3, price: 1.2 },
];

describe('Order', () => {
  // Events carry timestamps: freeze the clock so expected and applied events compare equal.
  beforeEach(() => {
    jest.useFakeTimers({ now: new Date('2026-02-01T10:00:00Z') });
  });

  afterEach(() => {
    jest.useRealTimers();
  });

  const created = () => new OrderCreated('o-1', 'ada', items, 28.6);

  describe('when an order is created', () => {
    it('should record its items and total', () => {
      const order = Order.create('o-1', 'ada', items);
      expect(order.uncommittedEvents).toEqual([
        expect.objectContaining({ orderId: 'o-1', customerId: 'ada', items, total: 28.6 }),
      ]);
      expect(order.uncommittedEvents[0]).toBeInstanceOf(OrderCreated);
      expect(order).toMatchObject({ id: 'o-1', status: 'created', total: 28.6 });
    });
  });

  describe('when a created order is shipped', () => {
    it('should apply OrderShipped', () => {
      const order = given(Order, [created()])
        .when((o) => o.ship('TRK-1'))
        .then([new OrderShipped('o-1', 'TRK-1')]);
      expect(order.status).toBe('shipped');
    });
  });

  describe('when a cancelled order is shipped', () => {
    it('should refuse with InvalidOrderTransitionError', () => {
      given(Order, [created(), new OrderCancelled('o-1', 'changed mind')])
        .when((o) => o.ship('TRK-1'))
        .thenThrows(InvalidOrderTransitionError, 'Order o-1 is cancelled and cannot be shipped');
    });
  });

  describe('when a shipped order is cancelled', () => {
    it('should refuse with InvalidOrderTransitionError', () => {
      given(Order, [created(), new OrderShipped('o-1', 'TRK-1')])
        .when((o) => o.cancel('too late'))
        .thenThrows(InvalidOrderTransitionError, /is shipped and cannot be cancelled/);
    });
  });

  describe('when a fulfilment is linked', () => {
    it('should remember the latest saga, whatever the status', () => {
      const order = given(Order, [created(), new OrderShipped('o-1', 'TRK-1')])
        .when((o) => o.linkFulfillment('saga-2'))
        .then([new OrderFulfillmentLinked('o-1', 'saga-2')]);
      expect(order.fulfillmentSagaId).toBe('saga-2');
    });

    it('should refuse to fulfil a cancelled order', () => {
      given(Order, [created(), new OrderCancelled('o-1', 'x')])
        .when((o) => o.assertCanBeFulfilled())
        .thenThrows(InvalidOrderTransitionError, /cannot be fulfilled/);
    });
  });
});
