import type { SqlWakeUpSource } from '../sql/sql-event-storage-parts';
import type { MysqlGlobalLogReader } from './mysql-global-log-reader';

/**
 * Other instances' appends are noticed by polling the log head (one
 * primary-key read) while there are listeners; MySQL has no NOTIFY. This
 * instance's own appends wake listeners at once (done by the shell).
 */
export class MysqlWakeUps implements SqlWakeUpSource {
  private timer?: NodeJS.Timeout;
  private polling = false;
  private lastSeenHead?: number;

  constructor(
    private readonly globalLog: MysqlGlobalLogReader,
    private readonly pollIntervalMs: number,
  ) {}

  start(wake: () => void): void {
    this.timer ??= setInterval(() => void this.poll(wake), this.pollIntervalMs).unref();
  }

  idle(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  appended(): void {}

  stop(): Promise<void> {
    this.idle();
    return Promise.resolve();
  }

  private async poll(wake: () => void): Promise<void> {
    if (this.polling) return;
    this.polling = true;
    try {
      const head = await this.globalLog.headPosition();
      if (this.lastSeenHead !== undefined && head !== this.lastSeenHead) wake();
      this.lastSeenHead = head;
    } catch {
      // The subscribers' own reads report the outage; polling just tries again.
    } finally {
      this.polling = false;
    }
  }
}
