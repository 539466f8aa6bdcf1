import type { OrderItem, OrderStatus } from '../order-item';
import type { OrderSummary } from '../projections/order-summary';

/** An order as the HTTP API returns it. */
export interface OrderJson {
  id: string;
  status: OrderStatus;
  customer_id: string;
  items: readonly OrderItem[];
  total: number;
  tracking_number: string | null;
  cancel_reason: string | null;
  fulfillment_saga_id: string | null;
  version: number;
  created_at: string;
  updated_at: string;
}

/** The read-model row in the API's snake_case. */
export function toOrderJson(order: OrderSummary): OrderJson {
  return {
    id: order.id,
    status: order.status,
    customer_id: order.customerId,
    items: order.items,
    total: order.total,
    tracking_number: order.trackingNumber,
    cancel_reason: order.cancelReason,
    fulfillment_saga_id: order.fulfillmentSagaId,
    version: order.version,
    created_at: order.createdAt.toISOString(),
    updated_at: order.updatedAt.toISOString(),
  };
}
