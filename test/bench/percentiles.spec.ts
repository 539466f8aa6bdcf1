import { LatencyRecorder } from '../../bench/support/latency-recorder';
import { latencySummary, percentile } from '../../bench/support/percentiles';

describe('percentile (nearest rank)', () => {
  const oneToHundred = Array.from({ length: 100 }, (_, i) => i + 1);

  it('is the sample below which p % of the samples fall', () => {
    expect(percentile(oneToHundred, 50)).toBe(50);
    expect(percentile(oneToHundred, 99)).toBe(99);
    expect(percentile(oneToHundred, 100)).toBe(100);
    expect(percentile(oneToHundred, 0.5)).toBe(1);
  });

  it('is always one of the samples, never an interpolation', () => {
    expect(percentile([10, 20], 50)).toBe(10);
    expect(percentile([10, 20], 99)).toBe(20);
    expect(percentile([7], 1)).toBe(7);
    expect(percentile([7], 99)).toBe(7);
  });

  it('refuses no samples and a p outside (0, 100]', () => {
    expect(() => percentile([], 50)).toThrow(/no samples/);
    expect(() => percentile([1], 0)).toThrow(/not in \(0, 100\]/);
    expect(() => percentile([1], 101)).toThrow(/not in \(0, 100\]/);
    expect(() => percentile([1], Number.NaN)).toThrow(/not in \(0, 100\]/);
  });

  it('latencySummary sorts nanoseconds numerically and reports milliseconds', () => {
    // 1..200 ms in a shuffled order; a string sort would put 100 before 20.
    const ms = Array.from({ length: 200 }, (_, i) => ((i * 77) % 200) + 1);
    const summary = latencySummary(Float64Array.from(ms, (v) => v * 1e6));
    expect(summary).toEqual({ p50Ms: 100, p99Ms: 198 });
  });

  it('latencySummary reads only the first `count` samples', () => {
    const samples = new Float64Array(10).fill(9e9);
    samples.set([3e6, 1e6, 2e6]);
    expect(latencySummary(samples, 3)).toEqual({ p50Ms: 2, p99Ms: 3 });
  });
});

describe('LatencyRecorder', () => {
  it('keeps every sample when it outgrows its preallocated array', () => {
    const recorder = new LatencyRecorder(4);
    for (let ms = 1; ms <= 1000; ms++) recorder.record(ms * 1e6);
    expect(recorder.size).toBe(1000);
    expect(recorder.summary()).toEqual({ p50Ms: 500, p99Ms: 990 });
  });

  it('reports no figures when nothing was recorded', () => {
    expect(new LatencyRecorder().summary()).toEqual({});
  });
});
