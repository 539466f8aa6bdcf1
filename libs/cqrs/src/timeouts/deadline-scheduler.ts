import { DeadlineQueue } from './deadline-queue';

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
