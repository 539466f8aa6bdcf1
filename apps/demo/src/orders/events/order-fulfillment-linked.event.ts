import { Event, EventType } from '@cello/event-sourcing';

/** An `OrderSaga` run fulfils the order; `GET /orders/:id/fulfillment` follows the latest one. */
@EventType('OrderFulfillmentLinked')
export class OrderFulfillmentLinked extends Event {
  constructor(
    readonly orderId: string,
    readonly sagaId: string,
    readonly linkedAt: Date = new Date(),
  ) {
    super();
  }

  override get streamId(): string {
    return this.orderId;
  }
}
