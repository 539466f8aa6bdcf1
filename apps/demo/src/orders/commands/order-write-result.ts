import type { OrderStatus } from '../order-item';

/** What a command that changed an order reports. */
export interface OrderWriteResult {
  readonly orderId: string;
  readonly status: OrderStatus;
  /** The order stream's version after the change. */
  readonly version: number;
  /** Global position of the last event written: wait for it to read your own write. */
  readonly position: number;
}
