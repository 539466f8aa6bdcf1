/**
 * The shape of a benchmark workload: what is measured, by whom, and what the
 * targets are. `bench/run.js` loads these definitions; each subject runs in its
 * own child process (`child.js`) and reports one {@link Measurement}.
 */

/** What a subject is in the comparison. */
export type SubjectRole = 'cello' | 'peer' | 'ceiling' | 'reference';

/** Everything a subject gets from the harness inside its child process. */
export interface BenchContext {
  /** A fresh, empty database made for this measurement (PostgreSQL workloads only). */
  readonly databaseUrl: string;
  /** Runs `CHECKPOINT`, so that set-up writes do not flush during the timed part. */
  checkpoint(): Promise<void>;
  /** Shorter runs (`--quick`): the harness check, not figures to publish. */
  readonly quick: boolean;
}

/** One subject's result in one process. */
export interface Measurement {
  /** The workload's figure, in the workload's unit (higher is better). */
  readonly value: number;
  /**
   * Secondary figures, e.g. `heapGrowthRatio`; `p50Ms` and `p99Ms` (latency
   * of one operation during the timed part) go into the summary table.
   */
  readonly extra?: Readonly<Record<string, number>>;
  /** What was done exactly, for the report (counts, sizes). */
  readonly detail?: string;
}

export interface Subject {
  /** Key in `latest.json` (`cello`, `nestjs-cqrs`, `emmett-postgresql`, `pg-single-row`, ...). */
  readonly name: string;
  readonly role: SubjectRole;
  run(context: BenchContext): Promise<Measurement>;
}

/** A target from issue 8 or 22, checked against medians of the same run. */
export type Target =
  | { readonly kind: 'vs-peer'; readonly peer: string; readonly min: number }
  | { readonly kind: 'vs-ceiling'; readonly min: number }
  /** Cello against a named `reference` subject (a floor, a hand-written log, 1 process). */
  | { readonly kind: 'vs-reference'; readonly subject: string; readonly min: number }
  | { readonly kind: 'absolute'; readonly min: number }
  | { readonly kind: 'extra-max'; readonly extra: string; readonly max: number }
  /**
   * Cello costs less than `max` (a fraction) more time per unit than `subject`,
   * another subject of the same workload: with `perUnit` (an extra holding a
   * time per unit, e.g. `cpuNsPerOp`) `cello / subject - 1`, else from the
   * rates, `subject / cello - 1`.
   */
  | {
      readonly kind: 'overhead-max';
      readonly subject: string;
      readonly max: number;
      readonly perUnit?: string;
    };

export interface WorkloadDefinition {
  readonly name: string;
  /** Unit of every subject's value, e.g. `ops/s`, `events/s`. */
  readonly unit: string;
  readonly description: string;
  /** Needs a fresh PostgreSQL database per measurement. */
  readonly postgres: boolean;
  /** The target as the issue words it, for the report. */
  readonly targetText: string;
  readonly targets: readonly Target[];
  readonly subjects: readonly Subject[];
}

/**
 * Thrown by a subject whose API is not there (yet): the workload then reports
 * `null` with this reason instead of a number.
 */
export class NotAvailableError extends Error {
  readonly notAvailable = true;
}

/** Throws {@link NotAvailableError} unless `value` is defined. */
export function requireApi<T>(value: T | undefined | null, what: string): T {
  if (value === undefined || value === null) {
    throw new NotAvailableError(`${what} is not exported (yet)`);
  }
  return value;
}
