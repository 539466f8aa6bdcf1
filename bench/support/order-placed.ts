import { randomUUID } from 'node:crypto';

/** The payload every subject stores: a ~200-byte JSON `OrderPlaced` event. */
export type OrderPlacedData = {
  orderId: string;
  customerId: string;
  items: { sku: string; quantity: number; price: number }[];
};

/** Builds the `i`-th OrderPlaced payload (three items, ids as UUIDs). */
export function orderPlacedData(orderId: string = randomUUID(), i = 0): OrderPlacedData {
  return {
    orderId,
    customerId: `customer-${(i % 1000).toString().padStart(4, '0')}`,
    items: [
      { sku: 'SKU-1001', quantity: 1 + (i % 3), price: 1.25 },
      { sku: 'SKU-2002', quantity: 2, price: 3.5 },
      { sku: 'SKU-3003', quantity: 1, price: 7.99 },
    ],
  };
}

/** The event type name every subject uses. */
export const ORDER_PLACED = 'OrderPlaced';

/** Size of one payload as JSON, in bytes (for heap-growth ratios). */
export function payloadBytes(data: OrderPlacedData): number {
  return Buffer.byteLength(JSON.stringify(data));
}
