import { redactSecrets } from '../redaction/redact-secrets';

/** How often a storage that was unreachable at start-up is tried again, in milliseconds. */
export const STORAGE_RETRY_INTERVAL_MS = 1000;

/** What a {@link StorageStarter} starts, and how it reports. */
export interface StorageStarterOptions {
  /** What is started, for the log lines (e.g. 'Event store'). */
  name: string;
  /** Connects (and migrates); rejects while the database cannot be reached. */
  connect(): Promise<void>;
  /** True when `error` is an outage to wait out; any other error fails start-up. */
  isOutage(error: unknown): boolean;
  /** Where the one warning and the recovery line go (a Nest `Logger`). */
  logger: { warn(message: string): void; log(message: string): void };
  /** What the app sees meanwhile, appended to the warning. */
  meanwhile: string;
  /** Default {@link STORAGE_RETRY_INTERVAL_MS}. */
  retryIntervalMs?: number;
}

/**
 * Starts a storage whose database may be down at start-up, the one way every
 * Cello module does it: the app starts anyway (the seed's "log a warning at
 * startup but do not prevent the application from running"), one warning is
 * logged, the connection is retried in the background every second, and the
 * storage's own calls fail fast with its unavailable error until then.
 * A mistake to fix (a bad option, a missing package) still fails start-up.
 */
export class StorageStarter {
  private connected = false;
  private stopped = false;
  private attempt: Promise<void> | undefined;
  private retryTimer: NodeJS.Timeout | undefined;

  constructor(private readonly options: StorageStarterOptions) {}

  /** True once a connection attempt succeeded. */
  get started(): boolean {
    return this.connected;
  }

  /**
   * First attempt: resolves once connected, or once an outage was logged and
   * the background retries began; rejects with any error that is not an outage.
   */
  async start(): Promise<void> {
    try {
      await this.connect();
    } catch (error) {
      if (!this.options.isOutage(error)) throw error;
      const reason = (error as { message?: unknown } | undefined)?.message ?? error;
      this.options.logger.warn(
        `${this.options.name} is unreachable (${redactSecrets(String(reason))}). Starting without it; ` +
          `${this.options.meanwhile} until it is reachable (retrying every ${this.interval} ms).`,
      );
      this.scheduleRetry();
    }
  }

  /** One connection attempt now, shared with any attempt already under way. */
  connect(): Promise<void> {
    if (this.connected) return Promise.resolve();
    this.attempt ??= this.options
      .connect()
      .then(() => {
        this.connected = true;
        clearTimeout(this.retryTimer);
      })
      .finally(() => {
        this.attempt = undefined;
      });
    return this.attempt;
  }

  /** Stops retrying and waits for an attempt under way (call before closing the storage). */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.retryTimer);
    await this.attempt?.catch(() => undefined);
  }

  private get interval(): number {
    return this.options.retryIntervalMs ?? STORAGE_RETRY_INTERVAL_MS;
  }

  private scheduleRetry(): void {
    if (this.stopped || this.connected) return;
    this.retryTimer = setTimeout(() => {
      if (this.stopped) return;
      this.connect().then(
        () => {
          if (!this.stopped)
            this.options.logger.log(`${this.options.name} reachable again: connected`);
        },
        () => this.scheduleRetry(),
      );
    }, this.interval);
    this.retryTimer.unref();
  }
}
