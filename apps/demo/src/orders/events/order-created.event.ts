import { Event, EventType } from '@cello/event-sourcing';
import type { OrderItem } from '../order-item';

/** A customer placed an order. */
@EventType('OrderCreated')
export class OrderCreated extends Event {
  constructor(
    readonly orderId: string,
    readonly customerId: string,
    readonly items: OrderItem[],
    readonly total: number,
    readonly createdAt: Date = new Date(),
  ) {
    super();
  }

  override get streamId(): string {
    return this.orderId;
  }
}
