import type { OrderChange, OrderListFilter, OrderSummary } from './order-summary';

/**
 * The `orders` read model, written only by the projection. Writes carry the
 * stream version of their event and are skipped when the row already reflects
 * it, so redelivered events (at-least-once) change nothing.
 */
export abstract class OrderReadModel {
  /** Inserts the row of a new order (at version 1); a second insert changes nothing. */
  abstract insert(order: OrderSummary): Promise<void>;

  /** Applies `change` made at `version` when the row is older than that. */
  abstract update(orderId: string, version: number, change: OrderChange, at: Date): Promise<void>;

  abstract get(orderId: string): Promise<OrderSummary | undefined>;

  /** Newest first, filtered, at most `limit` rows. */
  abstract list(filter: OrderListFilter): Promise<OrderSummary[]>;
}
