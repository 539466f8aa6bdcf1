/**
 * The waits of a subscription processor and what ends them early: an idle wait
 * (between polls) ends on a wake-up or on stop; a pause (a retry backoff) ends
 * on stop or when the lease is lost.
 */
export class ProcessorSignals {
  /** Set by `stop()`: the loop ends after the event (or batch) in progress. */
  stopping = false;
  /** A wake-up arrived while the processor was busy: skip the next idle wait. */
  private pendingWake = false;
  private readonly idleWakers = new Set<() => void>();
  private readonly pauseWakers = new Set<() => void>();

  /** New events may be there: ends the idle wait, or skips the next one. */
  wake(): void {
    this.pendingWake = true;
    for (const wake of this.idleWakers) wake();
  }

  /** Ends every wait now (stop). */
  wakeAll(): void {
    for (const wake of [...this.idleWakers, ...this.pauseWakers]) wake();
  }

  /** Ends the idle wait and any retry backoff now (the lease was lost). */
  interrupt(): void {
    this.wake();
    for (const wake of this.pauseWakers) wake();
  }

  /** Waits `ms`, or less when woken by an append or by stop. */
  idle(ms: number): Promise<void> {
    if (this.pendingWake || this.stopping) {
      this.pendingWake = false;
      return Promise.resolve();
    }
    return this.waitOn(this.idleWakers, ms).then(() => {
      this.pendingWake = false;
    });
  }

  /** Waits `ms`, or less when stopping or losing the lease (a retry backoff). */
  pause(ms: number): Promise<void> {
    if (this.stopping) return Promise.resolve();
    return this.waitOn(this.pauseWakers, ms);
  }

  private waitOn(wakers: Set<() => void>, ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        wakers.delete(done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      wakers.add(done);
    });
  }
}
