import { Injectable } from '@nestjs/common';
import { EventHandler, EventSubscriber, type SubscriptionEnvelope } from '@cello/event-sourcing';
import { OrderCancelled } from '../events/order-cancelled.event';
import { OrderCreated } from '../events/order-created.event';
import { OrderFulfillmentLinked } from '../events/order-fulfillment-linked.event';
import { OrderShipped } from '../events/order-shipped.event';
import { OrderReadModel } from './order-read-model';

/** Name of the projection's subscription (its durable checkpoint is kept under it). */
export const ORDERS_PROJECTION = 'orders-read-model';

/**
 * Keeps the `orders` read model in sync with committed order events. Fed in
 * global order, at least once: each write carries the stream version, so a
 * redelivered event changes nothing.
 */
@EventSubscriber({ name: ORDERS_PROJECTION })
@Injectable()
export class OrdersProjection {
  constructor(private readonly readModel: OrderReadModel) {}

  @EventHandler(OrderCreated)
  async onCreated(event: OrderCreated, envelope: SubscriptionEnvelope): Promise<void> {
    await this.readModel.insert({
      id: event.orderId,
      customerId: event.customerId,
      status: 'created',
      items: event.items,
      total: event.total,
      trackingNumber: null,
      cancelReason: null,
      fulfillmentSagaId: null,
      version: envelope.version,
      createdAt: event.createdAt,
      createdPosition: envelope.position,
      updatedAt: event.createdAt,
    });
  }

  @EventHandler(OrderShipped)
  async onShipped(event: OrderShipped, envelope: SubscriptionEnvelope): Promise<void> {
    await this.readModel.update(
      event.orderId,
      envelope.version,
      { status: 'shipped', trackingNumber: event.trackingNumber },
      event.shippedAt,
    );
  }

  @EventHandler(OrderCancelled)
  async onCancelled(event: OrderCancelled, envelope: SubscriptionEnvelope): Promise<void> {
    await this.readModel.update(
      event.orderId,
      envelope.version,
      { status: 'cancelled', cancelReason: event.reason },
      event.cancelledAt,
    );
  }

  @EventHandler(OrderFulfillmentLinked)
  async onFulfillmentLinked(
    event: OrderFulfillmentLinked,
    envelope: SubscriptionEnvelope,
  ): Promise<void> {
    await this.readModel.update(
      event.orderId,
      envelope.version,
      { fulfillmentSagaId: event.sagaId },
      event.linkedAt,
    );
  }
}
