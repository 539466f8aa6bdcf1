import { Injectable } from '@nestjs/common';
import { OrderReadModel } from './order-read-model';
import type { OrderChange, OrderListFilter, OrderSummary } from './order-summary';

/** The read model of the embedded default: a map, rebuilt from the log at each start. */
@Injectable()
export class MemoryOrderReadModel extends OrderReadModel {
  private readonly rows = new Map<string, OrderSummary>();

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
