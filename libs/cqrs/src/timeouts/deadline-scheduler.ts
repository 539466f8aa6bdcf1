/**
 * Something with a deadline, kept in a {@link DeadlineQueue} until it settles
 * or expires. An interface, not a base class, so the bus's dispatch context
 * can be its own deadline entry (one allocation per dispatch instead of two).
 */
export interface Deadline {
  /** Neighbours in the queue's list; start as null. */
  prev: Deadline | null;
  next: Deadline | null;
  /** Scheduler tick at which this deadline expires (set by `add`). */
  dueTick: number;
  /** Which queue holds it; null once removed or expired. */
  queue: DeadlineQueue | null;
  /** Called once when the deadline passes before `remove`. */
  expire(): void;
}

/**
 * The pending deadlines of one time limit, oldest first. Every entry has the
 * same limit, so entries arrive in deadline order and the queue is a FIFO
 * linked list: add and remove are O(1) and expiry only looks at the head.
 */
export class DeadlineQueue {
  private head: Deadline | null = null;
  private tail: Deadline | null = null;

  constructor(
    private readonly scheduler: DeadlineScheduler,
    /** Ticks from now until expiry, rounded up plus one so no deadline fires early. */
    private readonly ticks: number,
  ) {}

  /** Starts tracking `deadline`. */
  add(deadline: Deadline): void {
    this.scheduler.wake();
    deadline.dueTick = this.scheduler.now() + this.ticks;
    deadline.queue = this;
    deadline.prev = this.tail;
    if (this.tail === null) this.head = deadline;
    else this.tail.next = deadline;
    this.tail = deadline;
  }

  /** Stops tracking `deadline` (it settled in time). */
  remove(deadline: Deadline): void {
    if (deadline.queue !== this) return;
    deadline.queue = null;
    if (deadline.prev === null) this.head = deadline.next;
    else deadline.prev.next = deadline.next;
    if (deadline.next === null) this.tail = deadline.prev;
    else deadline.next.prev = deadline.prev;
    deadline.prev = deadline.next = null;
  }

  /** @internal Expires every deadline due at `tick`; true while entries remain. */
  expireUpTo(tick: number): boolean {
    while (this.head !== null && this.head.dueTick <= tick) {
      const due = this.head;
      this.remove(due);
      due.expire();
    }
    return this.head !== null;
  }
}

/** Clock reads are amortised: at most this many deadlines share one reading. */
const ADDS_PER_CLOCK_READ = 32;

/**
 * Time limits for many concurrent dispatches without a timer each.
 *
 * A `setTimeout` + `clearTimeout` per dispatch costs more than the whole
 * dispatch; here one interval ticks (only while something is pending) and each
 * tick expires the heads of the queues. Time is counted in ticks of
 * `resolutionMs` read from the monotonic clock, on each tick, when the clock
 * restarts, and every few deadlines added, so a busy event loop delays
 * expiry but never skips time. A deadline fires within about a tick after its limit.
 */
export class DeadlineScheduler {
  private currentTick = 0;
  private addsSinceClockRead = 0;
  // The global `performance` (not perf_hooks) so fake timers in tests move this clock too.
  private readonly origin = performance.now();
  private timer: NodeJS.Timeout | undefined = undefined;
  private readonly queues: DeadlineQueue[] = [];

  constructor(
    /** Tick length in milliseconds: the precision of every limit. */
    readonly resolutionMs: number,
  ) {}

  /** @internal The current tick, re-read from the clock every few calls. */
  now(): number {
    if (++this.addsSinceClockRead >= ADDS_PER_CLOCK_READ) this.readClock();
    return this.currentTick;
  }

  private readClock(): void {
    this.addsSinceClockRead = 0;
    this.currentTick = Math.floor((performance.now() - this.origin) / this.resolutionMs);
  }

  /** The queue for deadlines `limitMs` from their start. */
  queueFor(limitMs: number): DeadlineQueue {
    const queue = new DeadlineQueue(this, Math.ceil(limitMs / this.resolutionMs) + 1);
    this.queues.push(queue);
    return queue;
  }

  /** @internal Makes sure the clock runs while deadlines are pending. */
  wake(): void {
    if (this.timer !== undefined) return;
    this.timer = setInterval(this.onTick, this.resolutionMs);
    this.readClock(); // the clock was idle: its last reading is old
  }

  /** Stops the clock; pending deadlines no longer expire (used at shutdown). */
  stop(): void {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
  }

  private readonly onTick = (): void => {
    this.readClock();
    const tick = this.currentTick;
    let pending = false;
    for (const queue of this.queues) if (queue.expireUpTo(tick)) pending = true;
    if (!pending) this.stop();
  };
}
