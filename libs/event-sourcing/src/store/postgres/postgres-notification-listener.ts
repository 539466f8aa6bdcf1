import type * as Pg from 'pg';
import type { Client, ClientConfig } from 'pg';
import { loadOptionalPeer } from '@cello/core/internal';

/**
 * One dedicated connection that LISTENs on the store's channel and calls
 * `onWake` for every notification. It reconnects by itself (with a capped,
 * doubling delay) when the connection drops, and wakes once each time it
 * starts listening, since notifications sent before that were not heard.
 */
export class PostgresNotificationListener {
  private client?: Client;
  private retryTimer?: NodeJS.Timeout;
  private retryDelayMs = 100;
  private stopped = true;

  constructor(
    private readonly config: ClientConfig,
    private readonly channel: string,
    private readonly onWake: () => void,
  ) {}

  /** Starts listening; connection failures are retried in the background. */
  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    void this.connect();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.retryTimer);
    const client = this.client;
    this.client = undefined;
    await client?.end().catch(() => undefined);
  }

  private async connect(): Promise<void> {
    const { Client } = loadOptionalPeer<typeof Pg>('pg', 'PostgreSQL event storage', require);
    const client = new Client(this.config);
    // Without a handler an 'error' event would crash the process.
    client.on('error', () => this.scheduleReconnect(client));
    client.on('end', () => this.scheduleReconnect(client));
    client.on('notification', (message) => {
      if (message.channel === this.channel) this.onWake();
    });
    this.client = client;
    try {
      await client.connect();
      await client.query(`LISTEN "${this.channel}"`);
      if (this.stopped) {
        await client.end();
        return;
      }
      this.retryDelayMs = 100;
      this.onWake();
    } catch {
      this.scheduleReconnect(client);
    }
  }

  private scheduleReconnect(client: Client): void {
    if (this.stopped || this.client !== client) return;
    this.client = undefined;
    client.end().catch(() => undefined);
    const delay = this.retryDelayMs;
    this.retryDelayMs = Math.min(this.retryDelayMs * 2, 5000);
    this.retryTimer = setTimeout(() => void this.connect(), delay);
    this.retryTimer.unref();
  }
}
