import type { OrderItem, OrderStatus } from '../order-item';

/** A row of the `orders` read model. */
export interface OrderSummary {
  readonly id: string;
  readonly customerId: string;
  readonly status: OrderStatus;
  readonly items: readonly OrderItem[];
  readonly total: number;
  readonly trackingNumber: string | null;
  readonly cancelReason: string | null;
  readonly fulfillmentSagaId: string | null;
  /** The order stream's version this row reflects. */
  readonly version: number;
  readonly createdAt: Date;
  /** Global position of the `OrderCreated` event: orders the list, newest first. */
  readonly createdPosition: number;
  readonly updatedAt: Date;
}

/** Filters of the order list. */
export interface OrderListFilter {
  readonly customerId?: string;
  readonly status?: OrderStatus;
  readonly limit: number;
}

/** A change to apply to an existing row, at a stream version. */
export type OrderChange = Partial<
  Pick<OrderSummary, 'status' | 'trackingNumber' | 'cancelReason' | 'fulfillmentSagaId'>
>;
