import { LeaseLostError } from './lease-lost.error';

export interface LeaseKeeperOptions {
  /**
   * Renews every lease this keeper keeps. Resolves to false when they are
   * lost (taken over or fenced off); rejects when the database could not be
   * asked, which counts as lost only once it kept failing past `ttlMs`.
   */
  renew(): Promise<boolean>;
  /** Called once, when `renew` resolved false or kept failing past `ttlMs` since the last success. */
  onLost(reason: Error): void;
  /** Called with each failed renewal that did not (yet) lose the leases; to log or report it. */
  onError?(error: unknown): void;
  /** How long a lease lives without renewal, in milliseconds. */
  ttlMs: number;
  /** Renewal period in milliseconds. Default `ttlMs / 3`, at least 10. */
  renewEveryMs?: number;
}

/**
 * Keeps leases alive by renewing them on a timer: one renewal at a time (a
 * slow database never stacks them), and the holder is told once, through
 * `onLost`, when they are gone. Used by the subscription processor (one lease)
 * and the saga runner (a lease per saga it drives; it halts single sagas
 * itself and resolves true while the set as a whole is kept).
 */
export class LeaseKeeper {
  private timer?: NodeJS.Timeout;
  private inFlight?: Promise<void>;
  private lastSuccessAt = 0;
  private running = false;
  private lost = false;

  constructor(private readonly options: LeaseKeeperOptions) {}

  /** True from `start` until the leases are lost or the keeper stops. */
  get held(): boolean {
    return this.running && !this.lost;
  }

  /** Starts (or restarts) renewing; the leases count as just taken or renewed. */
  start(): void {
    this.clearTimer();
    this.running = true;
    this.lost = false;
    this.lastSuccessAt = Date.now();
    const every = Math.max(10, this.options.renewEveryMs ?? Math.floor(this.options.ttlMs / 3));
    this.timer = setInterval(() => this.tick(), every);
    // A keeper alone never keeps the process alive.
    this.timer.unref();
  }

  /** Stops renewing and waits for a renewal in flight, so nothing renews after it resolves. */
  async stop(): Promise<void> {
    this.running = false;
    this.clearTimer();
    await this.inFlight;
  }

  private tick(): void {
    if (!this.held || this.inFlight) return;
    this.inFlight = this.renewOnce().finally(() => (this.inFlight = undefined));
  }

  private async renewOnce(): Promise<void> {
    try {
      const kept = await this.options.renew();
      if (!this.held) return;
      if (kept) this.lastSuccessAt = Date.now();
      else this.lose(new LeaseLostError('the lease was taken over or fenced off'));
    } catch (error) {
      if (!this.held) return;
      const sinceMs = Date.now() - this.lastSuccessAt;
      // Past its expiry another holder may have it: stop acting on it.
      if (sinceMs >= this.options.ttlMs) {
        this.lose(
          new LeaseLostError(
            `not renewed for ${sinceMs} ms (ttl ${this.options.ttlMs} ms): ` +
              (error instanceof Error ? error.message : String(error)),
            { cause: error },
          ),
        );
      } else {
        this.options.onError?.(error);
      }
    }
  }

  private lose(reason: Error): void {
    this.lost = true;
    this.clearTimer();
    this.options.onLost(reason);
  }

  private clearTimer(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }
}
