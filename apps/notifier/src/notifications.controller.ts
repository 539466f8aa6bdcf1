import { Controller, Get, Query } from '@nestjs/common';
import { NotificationsPool } from './notifications-pool';

/** GET /notifications[?order_id=...]: the notifications sent, oldest first. */
@Controller('notifications')
export class NotificationsController {
  constructor(private readonly notifications: NotificationsPool) {}

  @Get()
  async list(@Query('order_id') orderId?: string): Promise<unknown[]> {
    const { rows } = await this.notifications.pool.query(
      `SELECT order_id, tracking_number, message, notified_at
         FROM notifier_notifications
        WHERE $1::text IS NULL OR order_id = $1
        ORDER BY id LIMIT 500`,
      [orderId ?? null],
    );
    return rows;
  }
}
