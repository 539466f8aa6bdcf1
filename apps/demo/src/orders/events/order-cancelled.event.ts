import { Event, EventType } from '@cello/event-sourcing';

/** The order was cancelled before it shipped. */
@EventType('OrderCancelled')
export class OrderCancelled extends Event {
  constructor(
    readonly orderId: string,
    readonly reason: string,
    readonly cancelledAt: Date = new Date(),
  ) {
    super();
  }

  override get streamId(): string {
    return this.orderId;
  }
}
