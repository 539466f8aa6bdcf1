import { Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { SubscriptionManager } from '@cello/event-sourcing';
import { OrderReadModel } from './order-read-model';
import { ORDERS_PROJECTION } from './orders.projection';
import type { OrderChange, OrderListFilter, OrderSummary } from './order-summary';

/**
 * The read model of the embedded default: a map, rebuilt from the log at each
 * start. The rebuild matters whenever the events outlive the map (a storage
 * with a durable checkpoint would otherwise skip everything before it).
 */
@Injectable()
export class MemoryOrderReadModel extends OrderReadModel implements OnApplicationBootstrap {
  private readonly rows = new Map<string, OrderSummary>();
  private readonly logger = new Logger('OrdersReadModel');

  constructor(private readonly subscriptions: SubscriptionManager) {
    super();
  }

  /** Replays the log into the map before the app serves, so reads after a restart find every order. */
  async onApplicationBootstrap(): Promise<void> {
    try {
      await this.subscriptions.reset(ORDERS_PROJECTION, 0);
      const status = (await this.subscriptions.status()).find((s) => s.name === ORDERS_PROJECTION);
      if (status && status.headPosition > 0) {
        await this.subscriptions.waitForPosition(status.headPosition, {
          subscribers: [ORDERS_PROJECTION],
          timeoutMs: 60_000,
        });
      }
    } catch (error) {
      // The app still starts (storage may be down); the projection catches up when it can.
      this.logger.warn(`Could not rebuild the orders read model at start: ${String(error)}`);
    }
  }

  async insert(order: OrderSummary): Promise<void> {
    if (!this.rows.has(order.id)) this.rows.set(order.id, order);
  }

  async update(orderId: string, version: number, change: OrderChange, at: Date): Promise<void> {
    const row = this.rows.get(orderId);
    if (!row || row.version >= version) return;
    this.rows.set(orderId, { ...row, ...change, version, updatedAt: at });
  }

  async get(orderId: string): Promise<OrderSummary | undefined> {
    return this.rows.get(orderId);
  }

  async list(filter: OrderListFilter): Promise<OrderSummary[]> {
    return [...this.rows.values()]
      .filter((row) => filter.customerId === undefined || row.customerId === filter.customerId)
      .filter((row) => filter.status === undefined || row.status === filter.status)
      .sort((a, b) => b.createdPosition - a.createdPosition)
      .slice(0, filter.limit);
  }
}
