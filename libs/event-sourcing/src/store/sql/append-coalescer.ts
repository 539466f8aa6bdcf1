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
 * one waits for the next, where it is recognised as a re-send. An append to
 * a stream that an in-flight statement writes waits for that statement (a
 * stream's appends stay in order), so two statements of one instance never
 * race for a stream's next version: the later one sees the first committed.
 */
export class AppendCoalescer {
  private readonly queue: QueuedAppend[] = [];
  private inFlight = 0;
  private flushScheduled = false;
  private appends = 0;
  private statements = 0;
  private readonly idleWaiters: (() => void)[] = [];
  /** Streams written by statements in flight (with how many statements). */
  private readonly busyStreams = new Map<string, number>();

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
      const taken = this.takeBatch();
      if (taken.length === 0) return;
      const batch = taken.map((append) => this.busy(append));
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

  /**
   * Marks the append's stream busy until the append is settled (before its
   * caller resumes, so that the caller's next append to it is not held back).
   */
  private busy(append: QueuedAppend): QueuedAppend {
    const streamId = append.streamId;
    this.busyStreams.set(streamId, (this.busyStreams.get(streamId) ?? 0) + 1);
    let settled = false;
    const release = (): void => {
      if (settled) return;
      settled = true;
      const left = this.busyStreams.get(streamId)! - 1;
      if (left === 0) this.busyStreams.delete(streamId);
      else this.busyStreams.set(streamId, left);
    };
    return {
      streamId,
      events: append.events,
      expected: append.expected,
      resolve: (result) => {
        release();
        append.resolve(result);
      },
      reject: (error) => {
        release();
        append.reject(error);
      },
    };
  }

  /**
   * Takes appends from the head of the queue, in order, while they fit,
   * passing over (and leaving queued, in order) those whose stream is being
   * written by a statement in flight.
   */
  private takeBatch(): QueuedAppend[] {
    const ids = new Set<string>();
    const batch: QueuedAppend[] = [];
    const kept: QueuedAppend[] = [];
    let events = 0;
    let index = 0;
    for (; index < this.queue.length; index++) {
      const candidate = this.queue[index];
      if (this.busyStreams.has(candidate.streamId)) {
        kept.push(candidate);
        continue;
      }
      const fits =
        batch.length === 0 || events + candidate.events.length <= this.maxEventsPerStatement;
      if (!fits || candidate.events.some((event) => ids.has(event.eventId))) break;
      for (const event of candidate.events) ids.add(event.eventId);
      events += candidate.events.length;
      batch.push(candidate);
    }
    this.queue.splice(0, index, ...kept);
    return batch;
  }
}
