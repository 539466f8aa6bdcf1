import { Injectable } from '@nestjs/common';
import { IntegrationEventHandler, type IntegrationEvent } from '@cello/relay';
import type { PoolClient } from 'pg';

/** The payload of the demo's OrderShipped, as relayed. */
export interface OrderShippedData {
  readonly orderId: string;
  readonly trackingNumber: string;
}

/**
 * Writes one customer notification per shipped order. It runs in the transaction
 * that records the event in the inbox, so a redelivered event notifies no one twice.
 */
@Injectable()
export class ShipmentNotifier {
  @IntegrationEventHandler('OrderShipped')
  async onOrderShipped(event: IntegrationEvent<OrderShippedData>, tx: PoolClient): Promise<void> {
    const { orderId, trackingNumber } = event.data;
    await tx.query(
      `INSERT INTO notifier_notifications (event_id, order_id, tracking_number, message)
       VALUES ($1, $2, $3, $4)`,
      [
        event.id,
        orderId,
        trackingNumber,
        `Your order ${orderId} is on its way (${trackingNumber})`,
      ],
    );
  }
}
