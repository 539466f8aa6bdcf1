import type { ClientConfig } from 'pg';
import type { SqlWakeUpSource } from '../sql/sql-event-storage-parts';
import { PostgresAppendNotifier } from './postgres-append-notifier';
import type { PostgresConnection } from './postgres-connection';
import { PostgresNotificationListener } from './postgres-notification-listener';
import type { PostgresTables } from './postgres-tables';

/**
 * Wake-ups across instances by LISTEN/NOTIFY: this instance's appends are
 * announced on the store's channel, and a dedicated connection listens to it.
 */
export class PostgresWakeUps implements SqlWakeUpSource {
  private readonly notifier = new PostgresAppendNotifier(() => this.sendNotification());
  private listener?: PostgresNotificationListener;

  constructor(
    private readonly connection: PostgresConnection,
    private readonly tables: PostgresTables,
  ) {}

  start(wake: () => void): void {
    if (this.listener) return;
    const poolOptions = (this.connection.pool as unknown as { options: ClientConfig }).options;
    this.listener = new PostgresNotificationListener(
      { ...poolOptions, keepAlive: true },
      this.tables.channel,
      wake,
    );
    this.listener.start();
  }

  /** The listening connection stays: listeners come and go, and reconnecting costs more. */
  idle(): void {}

  appended(): void {
    this.notifier.notify();
  }

  async stop(): Promise<void> {
    await this.notifier.close();
    await this.listener?.stop();
    this.listener = undefined;
  }

  /**
   * Wakes other instances' listeners. Asynchronous commit: a lost notification
   * costs nothing (readers also poll), so it does not wait for a WAL flush.
   */
  private sendNotification(): Promise<unknown> {
    return this.connection.rawQuery({
      name: `cello_notify_${this.tables.key}`,
      text: "SELECT set_config('synchronous_commit', 'off', true), pg_notify($1, '')",
      values: [this.tables.channel],
    });
  }
}
