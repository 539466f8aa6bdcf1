import { Injectable } from '@nestjs/common';
import { DemoConfig } from '../../config/demo-config';
import { DemoDatabase } from '../../database/demo-database';
import { mysqlOrdersTable } from '../../database/mysql-demo-schema';
import { OrderReadModel } from './order-read-model';
import { ORDER_CHANGE_COLUMNS, orderSummaryOf, type OrderRow } from './order-row';
import type { OrderChange, OrderListFilter, OrderSummary } from './order-summary';

/**
 * The `orders` read model as a MySQL/MariaDB table (`demo_read_orders` by
 * default), so it outlives a restart as the PostgreSQL one does; the
 * projection's durable checkpoint then needs no rebuild at start.
 */
@Injectable()
export class MysqlOrderReadModel extends OrderReadModel {
  private readonly table: string;

  constructor(
    private readonly database: DemoDatabase,
    config: DemoConfig,
  ) {
    super();
    this.table = mysqlOrdersTable(config);
  }

  async insert(order: OrderSummary): Promise<void> {
    // A redelivered OrderCreated changes nothing (`id = id`), as ON CONFLICT DO NOTHING does.
    await this.database.query(
      `INSERT INTO ${this.table} (id, customer_id, status, items, total, tracking_number,
         cancel_reason, fulfillment_saga_id, version, created_at, created_position, updated_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON DUPLICATE KEY UPDATE id = id`,
      [
        order.id,
        order.customerId,
        order.status,
        JSON.stringify(order.items),
        order.total.toFixed(2),
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
    const sets = entries.map(([key]) => `${ORDER_CHANGE_COLUMNS[key]} = ?`);
    await this.database.query(
      `UPDATE ${this.table} SET ${[...sets, 'version = ?', 'updated_at = ?'].join(', ')}
       WHERE id = ? AND version < ?`,
      [...entries.map(([, value]) => value), version, at, orderId, version],
    );
  }

  async get(orderId: string): Promise<OrderSummary | undefined> {
    const rows = await this.database.query<OrderRow[]>(`SELECT * FROM ${this.table} WHERE id = ?`, [
      orderId,
    ]);
    return rows.length > 0 ? orderSummaryOf(rows[0]) : undefined;
  }

  async list(filter: OrderListFilter): Promise<OrderSummary[]> {
    const where: string[] = [];
    const parameters: unknown[] = [];
    if (filter.customerId !== undefined) {
      where.push('customer_id = ?');
      parameters.push(filter.customerId);
    }
    if (filter.status !== undefined) {
      where.push('status = ?');
      parameters.push(filter.status);
    }
    const rows = await this.database.query<OrderRow[]>(
      `SELECT * FROM ${this.table} ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''}
       ORDER BY created_position DESC LIMIT ?`,
      [...parameters, filter.limit],
    );
    return rows.map(orderSummaryOf);
  }
}
