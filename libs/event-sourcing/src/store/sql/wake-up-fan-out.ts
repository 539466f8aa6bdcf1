/**
 * The `onAppended` listeners of one storage. However many wake-ups arrive in a
 * tick (own appends, notifications, polls), each listener is called once, soon,
 * and a listener that throws does not keep the others from waking.
 */
export class WakeUpFanOut {
  private readonly listeners = new Set<() => void>();
  private scheduled = false;

  /** Listeners currently registered. */
  get size(): number {
    return this.listeners.size;
  }

  add(listener: () => void): void {
    this.listeners.add(listener);
  }

  delete(listener: () => void): void {
    this.listeners.delete(listener);
  }

  clear(): void {
    this.listeners.clear();
  }

  /** Calls every listener once, soon. Bound, so it can be handed out as a callback. */
  readonly wake = (): void => {
    if (this.scheduled || this.listeners.size === 0) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      for (const listener of [...this.listeners]) {
        try {
          listener();
        } catch {
          // A listener's failure is its own business; the others still wake.
        }
      }
    });
  };
}
