import type { OrderItem, OrderStatus } from '../order-item';
import type { OrderChange, OrderSummary } from './order-summary';

/** A row of the SQL read-model table, as PostgreSQL (jsonb items) or MySQL (JSON text) returns it. */
export interface OrderRow {
  id: string;
  customer_id: string;
  status: OrderStatus;
  items: string | OrderItem[];
  total: string;
  tracking_number: string | null;
  cancel_reason: string | null;
  fulfillment_saga_id: string | null;
  version: number;
  created_at: Date;
  created_position: string | number;
  updated_at: Date;
}

/** The column each field of an `OrderChange` is stored in. */
export const ORDER_CHANGE_COLUMNS: Record<keyof OrderChange, string> = {
  status: 'status',
  trackingNumber: 'tracking_number',
  cancelReason: 'cancel_reason',
  fulfillmentSagaId: 'fulfillment_saga_id',
};

/** The read model's summary of a row (numeric columns come back as strings). */
export function orderSummaryOf(row: OrderRow): OrderSummary {
  return {
    id: row.id,
    customerId: row.customer_id,
    status: row.status,
    items: typeof row.items === 'string' ? (JSON.parse(row.items) as OrderItem[]) : row.items,
    total: Number(row.total),
    trackingNumber: row.tracking_number,
    cancelReason: row.cancel_reason,
    fulfillmentSagaId: row.fulfillment_saga_id,
    version: row.version,
    createdAt: row.created_at,
    createdPosition: Number(row.created_position),
    updatedAt: row.updated_at,
  };
}
