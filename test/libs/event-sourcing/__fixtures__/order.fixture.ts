// The seed's Event Sourcing example (Order: create, ship, cancel), in TypeScript, for tests.
import { Aggregate } from '@cello/event-sourcing/aggregate/aggregate';
import { AggregateRoot } from '@cello/event-sourcing/decorators/aggregate-root.decorator';
import { EventHandler } from '@cello/event-sourcing/decorators/event-handler.decorator';
import { EventType } from '@cello/event-sourcing/decorators/event-type.decorator';
import { Event } from '@cello/event-sourcing/event/event';

export interface OrderItem {
  sku: string;
  quantity: number;
}

@EventType('OrderCreated')
export class OrderCreated extends Event {
  constructor(
    readonly orderId: string,
    readonly customerId: string,
    readonly items: OrderItem[],
    readonly createdAt: Date = new Date(),
  ) {
    super();
  }

  override get streamId(): string {
    return this.orderId;
  }
}

@EventType('OrderShipped')
export class OrderShipped extends Event {
  constructor(
    readonly orderId: string,
    readonly trackingNumber: string,
    readonly shippedAt: Date = new Date(),
  ) {
    super();
  }

  override get streamId(): string {
    return this.orderId;
  }
}

@EventType('OrderCancelled')
export class OrderCancelled extends Event {
  constructor(
    readonly orderId: string,
    readonly reason: string,
  ) {
    super();
  }
}

/** A domain rule the aggregate enforces. */
export class OrderAlreadyCancelledError extends Error {}

@AggregateRoot({ type: 'Order', snapshotSchemaVersion: 1 })
export class Order extends Aggregate {
  customerId?: string;
  status: 'created' | 'shipped' | 'cancelled' | null = null;
  items: OrderItem[] = [];
  trackingNumber: string | null = null;
  cancelReason?: string;
  createdAt?: Date;
  shippedAt?: Date;

  static create(orderId: string, customerId: string, items: OrderItem[]): Order {
    const order = new Order();
    order.apply(new OrderCreated(orderId, customerId, items));
    return order;
  }

  ship(trackingNumber: string): void {
    if (this.status === 'cancelled')
      throw new OrderAlreadyCancelledError(`Order ${this.id} is cancelled`);
    this.apply(new OrderShipped(this.id, trackingNumber));
  }

  cancel(reason: string): void {
    if (this.status === 'cancelled')
      throw new OrderAlreadyCancelledError(`Order ${this.id} is cancelled`);
    this.apply(new OrderCancelled(this.id, reason));
  }

  @EventHandler(OrderCreated)
  onCreated(event: OrderCreated): void {
    this.id = event.orderId;
    this.customerId = event.customerId;
    this.items = event.items;
    this.createdAt = event.createdAt;
    this.status = 'created';
  }

  @EventHandler(OrderShipped)
  onShipped(event: OrderShipped): void {
    this.trackingNumber = event.trackingNumber;
    this.shippedAt = event.shippedAt;
    this.status = 'shipped';
  }

  @EventHandler(OrderCancelled)
  onCancelled(event: OrderCancelled): void {
    this.status = 'cancelled';
    this.cancelReason = event.reason;
  }
}
