import { Injectable } from '@nestjs/common';
import { isCelloError } from '@cello/core';
import { EventStore } from '@cello/event-sourcing';
import type { OrderWriteResult } from './commands/order-write-result';
import { OrderNotFoundError } from './errors/order-not-found.error';
import { Order } from './order.aggregate';

/** Loads and saves `Order` aggregates through the event store, in the order's words. */
@Injectable()
export class OrderRepository {
  constructor(private readonly eventStore: EventStore) {}

  /** The order rebuilt from its snapshot and events; {@link OrderNotFoundError} when it has none. */
  async load(orderId: string): Promise<Order> {
    try {
      return await this.eventStore.load(Order, orderId);
    } catch (error) {
      if (isCelloError(error, 'aggregate-not-found')) throw new OrderNotFoundError(orderId);
      throw error;
    }
  }

  /** Appends the order's new events, expecting the version it was loaded at. */
  async save(order: Order): Promise<OrderWriteResult> {
    const appended = await this.eventStore.save(order);
    return {
      orderId: order.id,
      status: order.status,
      version: order.version,
      position: appended?.positions.at(-1) ?? 0,
    };
  }

  /** Snapshots the order's current state. */
  async snapshot(orderId: string): Promise<{ version: number }> {
    await this.load(orderId);
    return this.eventStore.createSnapshot(Order, orderId);
  }
}
