import type { OrderItem } from '../order-item';

/** What `POST /orders/:id/fulfill` asks for: the seed's saga context without the order id. */
export interface FulfillmentRequest {
  readonly customerId: string;
  readonly items: readonly OrderItem[];
  readonly total: number;
  readonly address: { readonly country: string; readonly [field: string]: unknown };
}
