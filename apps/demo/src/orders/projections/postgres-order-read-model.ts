import { Injectable } from '@nestjs/common';
import { DemoConfig } from '../../config/demo-config';
import { DemoDatabase } from '../../database/demo-database';
import { OrderReadModel } from './order-read-model';
import { ORDER_CHANGE_COLUMNS, orderSummaryOf, type OrderRow } from './order-row';
import type { OrderChange, OrderListFilter, OrderSummary } from './order-summary';

/** The `orders` read model as a table in its own schema (`demo_read.orders` by default). */
@Injectable()
export class PostgresOrderReadModel extends OrderReadModel {
  private readonly table: string;

  constructor(
    private readonly database: DemoDatabase,
    config: DemoConfig,
  ) {
    super();
    this.table = `"${config.readModelSchema}".orders`;
  }

  async insert(order: OrderSummary): Promise<void> {
    await this.database.query(
      `INSERT INTO ${this.table} (id, customer_id, status, items, total, tracking_number,
         cancel_reason, fulfillment_saga_id, version, created_at, created_position, updated_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
       ON CONFLICT (id) DO NOTHING`,
      [
        order.id,
        order.customerId,
        order.status,
        JSON.stringify(order.items),
        order.total,
        order.trackingNumber,
        order.cancelReason,
        order.fulfillmentSagaId,
        order.version,
        order.createdAt,
        order.createdPosition,
        order.updatedAt,
      ],
    );
  }

  async update(orderId: string, version: number, change: OrderChange, at: Date): Promise<void> {
    const entries = Object.entries(change) as [keyof OrderChange, unknown][];
    const sets = entries.map(([key], index) => `${ORDER_CHANGE_COLUMNS[key]} = $${index + 4}`);
    await this.database.query(
      `UPDATE ${this.table} SET ${[...sets, 'version = $2', 'updated_at = $3'].join(', ')}
       WHERE id = $1 AND version < $2`,
      [orderId, version, at, ...entries.map(([, value]) => value)],
    );
  }

  async get(orderId: string): Promise<OrderSummary | undefined> {
    const rows = (await this.database.query(`SELECT * FROM ${this.table} WHERE id = $1`, [
      orderId,
    ])) as OrderRow[];
    return rows.length > 0 ? orderSummaryOf(rows[0]) : undefined;
  }

  async list(filter: OrderListFilter): Promise<OrderSummary[]> {
    const rows = (await this.database.query(
      `SELECT * FROM ${this.table}
       WHERE ($1::text IS NULL OR customer_id = $1) AND ($2::text IS NULL OR status = $2)
       ORDER BY created_position DESC
       LIMIT $3`,
      [filter.customerId ?? null, filter.status ?? null, filter.limit],
    )) as OrderRow[];
    return rows.map(orderSummaryOf);
  }
}
