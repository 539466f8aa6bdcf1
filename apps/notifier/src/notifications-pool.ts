import { Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { Pool } from 'pg';

/** The notifier's PostgreSQL pool, shared by the relay consumer and the controller. */
@Injectable()
export class NotificationsPool implements OnApplicationShutdown {
  constructor(readonly pool: Pool) {}

  /** Creates the notifications table when missing. */
  async createSchema(): Promise<void> {
    await this.pool.query(`CREATE TABLE IF NOT EXISTS notifier_notifications (
      id bigserial PRIMARY KEY,
      event_id text NOT NULL UNIQUE,
      order_id text NOT NULL,
      tracking_number text NOT NULL,
      message text NOT NULL,
      notified_at timestamptz NOT NULL DEFAULT now()
    )`);
  }

  async onApplicationShutdown(): Promise<void> {
    await this.pool.end();
  }
}
