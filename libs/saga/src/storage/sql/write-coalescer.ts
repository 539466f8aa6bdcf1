interface Pending<T, R> {
  item: T;
  resolve: (result: R) => void;
  reject: (error: unknown) => void;
}

/**
 * Group commit: while a batch is in flight, later writes queue up and go
 * together in the next statement, so N concurrent sagas cost about one round
 * trip and one commit instead of N. Each caller still gets its own result.
 *
 * A batch is sent once the writes of the current turn of the event loop are
 * queued (setImmediate), not with the first of them: one commit resumes many
 * sagas in the same turn (its promises settle together), and each queues its
 * next write there. Sent at once, the first would go alone and the others wait
 * a whole round trip for it; gathered, they share one statement and one WAL
 * flush (issue 22: 16 concurrent sagas, batches of 4 became batches of 16).
 *
 * A batch that fails with an error `retryAlone` accepts (one item's refused
 * value, say) is written again item by item, so only the bad item's caller
 * gets the error and its neighbours are stored. Other errors (an outage) fail
 * the whole batch: every item would meet the same.
 */
export class WriteCoalescer<T, R> {
  private readonly queue: Pending<T, R>[] = [];
  private inFlight = 0;
  /** A dispatch is scheduled for the end of this turn. */
  private scheduled = false;

  constructor(
    private readonly flush: (items: T[]) => Promise<R[]>,
    private readonly maxBatch = 256,
    private readonly maxInFlight = 2,
    private readonly retryAlone: (error: unknown) => boolean = () => false,
  ) {}

  /** Queues one write; resolves with its own result once its batch committed. */
  submit(item: T): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      this.queue.push({ item, resolve, reject });
      this.schedulePump();
    });
  }

  private schedulePump(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      this.pump();
    });
  }

  private pump(): void {
    while (this.inFlight < this.maxInFlight && this.queue.length > 0) {
      const batch = this.queue.splice(0, this.maxBatch);
      this.inFlight += 1;
      this.write(batch).finally(() => {
        this.inFlight -= 1;
        this.schedulePump();
      });
    }
  }

  private async write(batch: Pending<T, R>[]): Promise<void> {
    try {
      const results = await this.flush(batch.map((p) => p.item));
      batch.forEach((p, i) => p.resolve(results[i]));
      return;
    } catch (error) {
      if (batch.length === 1 || !this.retryAlone(error)) {
        batch.forEach((p) => p.reject(error));
        return;
      }
    }
    // In order, so that writes of one saga keep their sequence.
    for (const pending of batch) {
      try {
        const [result] = await this.flush([pending.item]);
        pending.resolve(result);
      } catch (error) {
        pending.reject(error);
      }
    }
  }
}
