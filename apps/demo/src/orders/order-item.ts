/** A line of an order. `price` is per unit. */
export interface OrderItem {
  readonly sku: string;
  readonly quantity: number;
  readonly price: number;
}

/** The order's lifecycle: created, then shipped or cancelled. */
export type OrderStatus = 'created' | 'shipped' | 'cancelled';

/** Every status, for validation of filters. */
export const ORDER_STATUSES: readonly OrderStatus[] = ['created', 'shipped', 'cancelled'];

/** Sum of quantity × price, in cents precision. */
export function orderTotal(items: readonly OrderItem[]): number {
  const cents = items.reduce((sum, item) => sum + Math.round(item.price * 100) * item.quantity, 0);
  return cents / 100;
}
