import { Event, EventType } from '@cello/event-sourcing';

/** The order left the warehouse with a tracking number. */
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
