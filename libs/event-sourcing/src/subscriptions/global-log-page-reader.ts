import type { EventLog, StoredEvent } from '../store/event-storage';

/**
 * Reads a subscriber's pages of the global log, optionally one page ahead:
 * while a full page is handled the next one is already on its way, so
 * catch-up runs at the slower of reading and handling instead of their sum.
 * A page read ahead is used only when the next read starts exactly where it
 * does; `drop()` forgets it whenever the position it assumed may not hold
 * (a failure, a reset, a lost lease).
 */
export class GlobalLogPageReader {
  private ahead?: { readonly from: number; readonly page: Promise<StoredEvent[]> };
  /** Read-ahead queries not settled yet (also dropped ones). */
  private readonly inFlight = new Set<Promise<unknown>>();

  constructor(
    private readonly storage: Pick<EventLog, 'readAll'>,
    private readonly pageSize: () => number,
  ) {}

  /** The page starting at `from`: the one read ahead when it starts there, else read now. */
  read(from: number): Promise<StoredEvent[]> {
    const ahead = this.ahead;
    this.ahead = undefined;
    if (ahead && ahead.from === from) return ahead.page;
    return this.storage.readAll({ fromPosition: from, limit: this.pageSize() });
  }

  /** Starts reading the page at `from`; a failure surfaces when (and if) the page is used. */
  readAhead(from: number): void {
    const page = this.storage.readAll({ fromPosition: from, limit: this.pageSize() });
    const settled: Promise<unknown> = page
      .catch(() => undefined)
      .finally(() => this.inFlight.delete(settled));
    this.inFlight.add(settled);
    this.ahead = { from, page };
  }

  /** Forgets the page read ahead. */
  drop(): void {
    this.ahead = undefined;
  }

  /** Forgets the page read ahead and waits for every read-ahead query still running. */
  async settle(): Promise<void> {
    this.ahead = undefined;
    await Promise.all([...this.inFlight]);
  }
}
