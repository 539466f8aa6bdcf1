import { latencySummary } from './percentiles';

/**
 * Durations of single operations during a timed part, kept in a preallocated
 * array so that recording one costs a store, not an allocation; percentiles
 * are computed once, after the clock stopped.
 */
export class LatencyRecorder {
  private samples: Float64Array;
  private count = 0;

  constructor(capacity = 1 << 18) {
    this.samples = new Float64Array(capacity);
  }

  /** Records one operation's duration, in nanoseconds. */
  record(nanoseconds: number): void {
    // Doubling is rare (a few times per run at most) and keeps every sample.
    if (this.count === this.samples.length) {
      const larger = new Float64Array(this.samples.length * 2);
      larger.set(this.samples);
      this.samples = larger;
    }
    this.samples[this.count++] = nanoseconds;
  }

  /** Operations recorded so far. */
  get size(): number {
    return this.count;
  }

  /** p50 and p99 in milliseconds; empty when nothing was recorded. */
  summary(): { p50Ms: number; p99Ms: number } | Record<string, never> {
    return this.count === 0 ? {} : latencySummary(this.samples, this.count);
  }
}
