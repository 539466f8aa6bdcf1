/**
 * The bounds of an order, taken from the columns that must hold it: the read
 * model's `total numeric(14, 2)` and the ledger's `amount numeric(14, 2)`
 * (apps/demo/src/database/demo-schema.ts), and the MariaDB read model's
 * VARCHAR lengths. Any order the API accepts fits, sum of its items included.
 */
export const ORDER_LIMITS = {
  /** Largest value of numeric(14, 2): 12 digits before the point, 2 after. */
  maxAmount: 999_999_999_999.99,
  /** Units of one line; 1000 lines of it (1e9 units) fit the ledger's amount too. */
  maxQuantity: 1_000_000,
  /** Unit price; the order's total is bounded on its own (quantity × price summed). */
  maxPrice: 1_000_000_000,
  maxItems: 1000,
  customerIdLength: 200,
  skuLength: 100,
  trackingNumberLength: 200,
  cancelReasonLength: 1000,
} as const;
