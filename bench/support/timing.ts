import type { LatencyRecorder } from './latency-recorder';
import { startProfile, stopProfile } from './profiler';

/** Timing helpers used inside a measurement process. */

/** Seconds elapsed since `start` (from `process.hrtime.bigint()`). */
export function secondsSince(start: bigint): number {
  return Number(process.hrtime.bigint() - start) / 1e9;
}

/**
 * Calls `step` until `durationMs` has passed (after `warmupMs` of the same
 * calls, not counted); each call returns how many units it did.
 * Resolves to units per second.
 */
export async function unitsPerSecond(
  step: () => Promise<number>,
  { warmupMs, durationMs }: { warmupMs: number; durationMs: number },
): Promise<{ rate: number; units: number; seconds: number; cpuSeconds: number }> {
  const warmupEnd = process.hrtime.bigint() + BigInt(warmupMs) * 1_000_000n;
  while (process.hrtime.bigint() < warmupEnd) await step();
  await startProfile();
  const start = process.hrtime.bigint();
  const cpuAtStart = process.cpuUsage();
  const end = start + BigInt(durationMs) * 1_000_000n;
  let units = 0;
  while (process.hrtime.bigint() < end) units += await step();
  const seconds = secondsSince(start);
  const cpu = process.cpuUsage(cpuAtStart);
  await stopProfile();
  // CPU time (this process, all threads) moves far less than wall time on a shared machine.
  return { rate: units / seconds, units, seconds, cpuSeconds: (cpu.user + cpu.system) / 1e6 };
}

/**
 * Runs `workers` loops concurrently, each calling `step` until `durationMs`
 * has passed; resolves to units per second across all of them. With
 * `latency`, the duration of every call of the timed part (one operation as
 * its caller sees it) is recorded there.
 */
export async function concurrentUnitsPerSecond(
  workers: number,
  step: (worker: number) => Promise<number>,
  {
    warmupMs,
    durationMs,
    latency,
  }: { warmupMs: number; durationMs: number; latency?: LatencyRecorder },
): Promise<{ rate: number; units: number; seconds: number }> {
  const loop = async (worker: number, until: bigint, count: boolean): Promise<number> => {
    let units = 0;
    while (process.hrtime.bigint() < until) {
      const done = await step(worker);
      if (count) units += done;
    }
    return units;
  };
  const timedLoop = async (worker: number, until: bigint, recorder: LatencyRecorder) => {
    let units = 0;
    let now = process.hrtime.bigint();
    while (now < until) {
      const done = await step(worker);
      const after = process.hrtime.bigint();
      recorder.record(Number(after - now));
      units += done;
      now = after;
    }
    return units;
  };
  const ids = Array.from({ length: workers }, (_, i) => i);
  const warmupEnd = process.hrtime.bigint() + BigInt(warmupMs) * 1_000_000n;
  await Promise.all(ids.map((id) => loop(id, warmupEnd, false)));
  await startProfile();
  const start = process.hrtime.bigint();
  const end = start + BigInt(durationMs) * 1_000_000n;
  const counts = await Promise.all(
    ids.map((id) => (latency ? timedLoop(id, end, latency) : loop(id, end, true))),
  );
  const seconds = secondsSince(start);
  await stopProfile();
  const units = counts.reduce((a, b) => a + b, 0);
  return { rate: units / seconds, units, seconds };
}

/** Time of one async call, in seconds. */
export async function timeOnce(work: () => Promise<unknown>): Promise<number> {
  await startProfile();
  const start = process.hrtime.bigint();
  await work();
  const seconds = secondsSince(start);
  await stopProfile();
  return seconds;
}

/** Heap in use after a full collection (needs `--expose-gc`, which the harness passes). */
export function settledHeapUsed(): number {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc) {
    gc();
    gc();
  }
  return process.memoryUsage().heapUsed;
}
