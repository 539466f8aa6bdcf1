/**
 * Percentiles of recorded latencies, by the nearest-rank method: the value
 * below which `p` % of the samples fall, always one of the samples (no
 * interpolation, so a p99 of 100 samples is the 99th smallest).
 */
export function percentile(sorted: ArrayLike<number>, p: number): number {
  if (!(p > 0 && p <= 100)) throw new RangeError(`percentile ${p} is not in (0, 100]`);
  if (sorted.length === 0) throw new RangeError('no samples to take a percentile of');
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1];
}

/** p50 and p99 in milliseconds of `count` durations in nanoseconds (sorts a copy). */
export function latencySummary(
  nanoseconds: Float64Array,
  count: number = nanoseconds.length,
): { p50Ms: number; p99Ms: number } {
  const sorted = nanoseconds.slice(0, count).sort();
  return { p50Ms: percentile(sorted, 50) / 1e6, p99Ms: percentile(sorted, 99) / 1e6 };
}
