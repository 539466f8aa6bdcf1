/** An order line as the fake services see it. */
export interface ServiceOrderItem {
  readonly sku: string;
  readonly quantity: number;
  readonly price: number;
}

/** A shipping address; `country` is an ISO 3166-1 alpha-2 code. */
export interface ServiceAddress {
  readonly country: string;
  readonly [field: string]: unknown;
}

/** Every call carries the order it is for and the caller's idempotency key. */
export interface ServiceCall {
  readonly orderId: string;
  readonly idempotencyKey: string;
}
