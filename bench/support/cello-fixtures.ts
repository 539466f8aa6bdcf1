import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import type { INestApplicationContext } from '@nestjs/common';
import {
  Aggregate,
  Event,
  EventHandler,
  EventSourcingModule,
  EventStore,
  EventType,
  type EventSourcingModuleOptions,
} from '@cello/event-sourcing';
import { bootApp } from './boot-app';
import { orderPlacedData, type OrderPlacedData } from './order-placed';

/** The benchmark's `OrderPlaced` as a Cello event class. */
@EventType('OrderPlaced')
export class OrderPlaced extends Event {
  constructor(
    readonly orderId: string,
    readonly customerId: string,
    readonly items: OrderPlacedData['items'],
  ) {
    super();
  }

  override get streamId(): string {
    return this.orderId;
  }
}

/** Builds the `i`-th OrderPlaced event of stream `orderId`. */
export function orderPlaced(orderId: string = randomUUID(), i = 0): OrderPlaced {
  const data = orderPlacedData(orderId, i);
  return new OrderPlaced(data.orderId, data.customerId, data.items);
}

/** An aggregate whose state folds every OrderPlaced (the rebuild work of load-10k). */
export class OrderBook extends Aggregate {
  orders = 0;
  units = 0;

  @EventHandler(OrderPlaced)
  onPlaced(event: OrderPlaced): void {
    this.orders += 1;
    for (const item of event.items) this.units += item.quantity;
  }
}

/** An app with only EventSourcingModule and the bench's event classes. */
export async function bootEventStore(
  options: EventSourcingModuleOptions,
): Promise<{ app: INestApplicationContext; store: EventStore }> {
  const app = await bootApp([
    EventSourcingModule.forRoot(options),
    EventSourcingModule.forFeature({ aggregates: [OrderBook], events: [OrderPlaced] }),
  ]);
  return { app, store: app.get(EventStore) };
}
