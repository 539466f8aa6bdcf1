import type { DeadlineScheduler } from './deadline-scheduler';

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
