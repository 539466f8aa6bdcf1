import type { OrderItem } from '../order-item';

/** What `OrderSaga` carries from step to step (saved after each step). */
export interface OrderSagaContext {
  orderId: string;
  customerId: string;
  items: OrderItem[];
  total: number;
  address: { country: string; [field: string]: unknown };
  /** Set by `reserve_inventory`. */
  reservationId?: string;
  /** Set by `process_payment`. */
  paymentId?: string;
  /** Set by `ship_order`. */
  shipmentId?: string;
  /** Set by `ship_order`. */
  trackingNumber?: string;
}
