import { Aggregate, AggregateRoot, EventHandler } from '@cello/event-sourcing';
import { InvalidOrderTransitionError } from './errors/invalid-order-transition.error';
import { OrderCancelled } from './events/order-cancelled.event';
import { OrderCreated } from './events/order-created.event';
import { OrderFulfillmentLinked } from './events/order-fulfillment-linked.event';
import { OrderShipped } from './events/order-shipped.event';
import { orderTotal, type OrderItem, type OrderStatus } from './order-item';

/**
 * An order, rebuilt from its events. Created, then shipped or cancelled;
 * any other move is refused with {@link InvalidOrderTransitionError}.
 * State holds plain JSON values only, so snapshots round-trip as they are.
 */
@AggregateRoot({ type: 'Order', snapshotSchemaVersion: 1 })
export class Order extends Aggregate {
  customerId = '';
  status: OrderStatus = 'created';
  items: OrderItem[] = [];
  total = 0;
  trackingNumber: string | null = null;
  cancelReason: string | null = null;
  /** The latest `OrderSaga` run started for this order. */
  fulfillmentSagaId: string | null = null;

  /** A new order with its first event applied. */
  static create(orderId: string, customerId: string, items: OrderItem[]): Order {
    const order = new Order();
    order.apply(new OrderCreated(orderId, customerId, items, orderTotal(items)));
    return order;
  }

  /** Ships a created order. */
  ship(trackingNumber: string): void {
    if (this.status !== 'created') {
      throw new InvalidOrderTransitionError(this.id, this.status, 'shipped');
    }
    this.apply(new OrderShipped(this.id, trackingNumber));
  }

  /** Cancels an order that has not shipped. */
  cancel(reason: string): void {
    if (this.status !== 'created') {
      throw new InvalidOrderTransitionError(this.id, this.status, 'cancelled');
    }
    this.apply(new OrderCancelled(this.id, reason));
  }

  /** Refuses to fulfil a cancelled order; checked before an `OrderSaga` starts. */
  assertCanBeFulfilled(): void {
    if (this.status === 'cancelled') {
      throw new InvalidOrderTransitionError(this.id, this.status, 'fulfilled');
    }
  }

  /** Records the `OrderSaga` run that fulfils the order. */
  linkFulfillment(sagaId: string): void {
    this.apply(new OrderFulfillmentLinked(this.id, sagaId));
  }

  @EventHandler(OrderCreated)
  onCreated(event: OrderCreated): void {
    this.id = event.orderId;
    this.customerId = event.customerId;
    this.items = event.items;
    this.total = event.total;
    this.status = 'created';
  }

  @EventHandler(OrderShipped)
  onShipped(event: OrderShipped): void {
    this.trackingNumber = event.trackingNumber;
    this.status = 'shipped';
  }

  @EventHandler(OrderCancelled)
  onCancelled(event: OrderCancelled): void {
    this.cancelReason = event.reason;
    this.status = 'cancelled';
  }

  @EventHandler(OrderFulfillmentLinked)
  onFulfillmentLinked(event: OrderFulfillmentLinked): void {
    this.fulfillmentSagaId = event.sagaId;
  }
}
