import type { AppendResult, EventToAppend, ExpectedVersion } from '../event-log';

/** One caller's append, waiting in the queue for its statement. */
export interface QueuedAppend {
  readonly streamId: string;
  readonly events: readonly EventToAppend[];
  readonly expected: ExpectedVersion;
  resolve(result: AppendResult): void;
  reject(error: unknown): void;
}

/** Counters showing how much coalescing happened. */
export interface AppendStats {
  /** Appends requested. */
  readonly appends: number;
  /** Append statements sent to the database (each one round trip, one commit). */
  readonly statements: number;
}

/**
 * Group commit for appends. Node runs one thread: while a statement is in
 * flight, later appends queue up here, and the queue goes out as the next
 * statement, so N concurrent appends cost one round trip and one commit
 * instead of N. Appends that arrive in the same tick leave together; up to
 * `maxInFlight` statements run at once (each on its own pooled connection).
 *
 * Two appends sharing an event id never travel in one statement: the later
 * one waits for the next, where it is recognised as a re-send.
 */
export class AppendCoalescer {
  private readonly queue: QueuedAppend[] = [];
  private inFlight = 0;
  private flushScheduled = false;
  private appends = 0;
  private statements = 0;
  private readonly idleWaiters: (() => void)[] = [];

  constructor(
    private readonly send: (batch: QueuedAppend[]) => Promise<void>,
    private readonly maxInFlight: number,
    private readonly maxEventsPerStatement: number,
  ) {}

  get stats(): AppendStats {
    return { appends: this.appends, statements: this.statements };
  }

  /** Appends queued or in flight. */
  get pending(): number {
    return this.queue.length + this.inFlight;
  }

  /** Resolves once nothing is queued or in flight. */
  whenIdle(): Promise<void> {
    if (this.pending === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  enqueue(append: QueuedAppend): void {
    this.appends += 1;
    this.queue.push(append);
    this.scheduleFlush();
  }

  private scheduleFlush(): void {
    if (this.flushScheduled || this.inFlight >= this.maxInFlight || this.queue.length === 0) return;
    this.flushScheduled = true;
    // A microtask lets every append issued in the current tick join the batch.
    queueMicrotask(() => {
      this.flushScheduled = false;
      this.flush();
    });
  }

  private flush(): void {
    while (this.inFlight < this.maxInFlight && this.queue.length > 0) {
      // Everything queued leaves together: on a commit-bound database one
      // statement of N appends beats N/2 statements on two connections.
      const batch = this.takeBatch();
      this.inFlight += 1;
      this.statements += 1;
      this.send(batch)
        .catch((error: unknown) => {
          // `send` settles every append itself; this is a last resort.
          for (const append of batch) append.reject(error);
        })
        .finally(() => {
          this.inFlight -= 1;
          this.scheduleFlush();
          if (this.pending === 0) this.idleWaiters.splice(0).forEach((resolve) => resolve());
        });
    }
  }

  /** Takes appends from the head of the queue, in order, while they fit. */
  private takeBatch(): QueuedAppend[] {
    const ids = new Set<string>();
    let events = 0;
    let taken = 0;
    for (const candidate of this.queue) {
      const fits = taken === 0 || events + candidate.events.length <= this.maxEventsPerStatement;
      if (!fits || candidate.events.some((event) => ids.has(event.eventId))) break;
      for (const event of candidate.events) ids.add(event.eventId);
      events += candidate.events.length;
      taken += 1;
    }
    return this.queue.splice(0, taken);
  }
}
