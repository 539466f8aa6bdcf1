/** The shortest time between two notifications while appends keep coming. */
const MIN_INTERVAL_MS = 5;

/**
 * Tells other instances that events were appended (their subscribers wake up
 * through LISTEN), after the append committed rather than inside it: a
 * notifying commit holds a cluster-wide lock until its WAL is flushed, which
 * would keep concurrent appends from sharing a flush.
 *
 * Notifications only wake readers up (they read the log, which never skips),
 * so they are coalesced: the first append after a quiet spell notifies at once,
 * a burst sends one more at most every few milliseconds, and a failed one is
 * not retried (subscribers also poll).
 */
export class PostgresAppendNotifier {
  private sending?: Promise<void>;
  private timer?: NodeJS.Timeout;
  private pending = false;
  private closed = false;

  /** `send` runs one `NOTIFY` (in a statement of its own). */
  constructor(private readonly send: () => Promise<unknown>) {}

  /** Events were appended and committed. */
  notify(): void {
    if (this.closed) return;
    if (this.sending || this.timer) {
      this.pending = true;
      return;
    }
    this.fire();
  }

  /** Sends nothing more; waits for a notification in flight. */
  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.timer);
    this.timer = undefined;
    await this.sending;
  }

  private fire(): void {
    this.pending = false;
    this.sending = this.send()
      .then(
        () => undefined,
        () => undefined,
      )
      .finally(() => {
        this.sending = undefined;
        if (this.closed) return;
        this.timer = setTimeout(() => {
          this.timer = undefined;
          if (this.pending && !this.closed) this.fire();
        }, MIN_INTERVAL_MS);
        this.timer.unref();
      });
  }
}
