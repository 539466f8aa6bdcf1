import type { Client } from 'pg';
import { checkInvariants, connect, waitForQuiet, type InvariantReport } from './demo-invariants';
import { startDemoProcess } from './demo-process';
import { newTrafficRecord, runTraffic, type TrafficRecord } from './order-traffic';

/** Settings of {@link runCrashLoop}. */
export interface CrashLoopOptions {
  /** Database of the demo (a fresh one). */
  readonly url: string;
  /** SIGKILLs to survive (at least). */
  readonly crashes: number;
  /** Asked after the minimum: true to go on with another crash (soak runs use a deadline). */
  readonly more?: () => boolean;
  /** Each run lives a random time in this range (ms) under traffic before its SIGKILL. Default [300, 1500]. */
  readonly runMs?: readonly [number, number];
  /** DEMO_STEP_DELAY_MS of the instances, so kills land mid-step. Default 80. */
  readonly stepDelayMs?: number;
  /** DEMO_TRANSIENT_FAILURE_RATE of the instances. Default 0.05. */
  readonly transientFailureRate?: number;
  /** Concurrent clients. Default 4. */
  readonly clients?: number;
  /** Progress lines (soak prints them). Default: none. */
  readonly log?: (line: string) => void;
}

/** What a crash loop did and found. */
export interface CrashLoopResult {
  readonly crashesSurvived: number;
  readonly record: TrafficRecord;
  /** Problems found after each restart, prefixed by the restart they were found after. */
  readonly problems: string[];
  /** The final check's report. */
  readonly report: InvariantReport;
  /** Sagas left running or compensating by the kills, summed over them. */
  readonly sagasInterrupted: number;
  /** Kills that left the orders projection behind the log (events written, not yet projected). */
  readonly projectionInterrupted: number;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Runs the demo on `url` in a child process under order traffic (async
 * fulfilments hitting every failure rule, cancellations, the orders
 * projection following), SIGKILLs it at a random moment, restarts it, and
 * after each restart lets it recover and checks every invariant.
 */
export async function runCrashLoop(options: CrashLoopOptions): Promise<CrashLoopResult> {
  const [minRun, maxRun] = options.runMs ?? [300, 1500];
  const env = {
    DEMO_STEP_DELAY_MS: String(options.stepDelayMs ?? 80),
    DEMO_TRANSIENT_FAILURE_RATE: String(options.transientFailureRate ?? 0.05),
  };
  const record = newTrafficRecord();
  const problems: string[] = [];
  const client = await connect(options.url);
  let crashesSurvived = 0;
  let sagasInterrupted = 0;
  let projectionInterrupted = 0;
  let report: InvariantReport | undefined;
  try {
    for (let run = 0; ; run++) {
      const last = run >= options.crashes && !(options.more?.() ?? false);
      const demo = await startDemoProcess(options.url, env);
      // Recovery of the previous crash: quiet, then every invariant.
      problems.push(...(await waitForQuiet(client)).map((p) => `after restart ${run}: ${p}`));
      report = await checkInvariants(client, record);
      problems.push(...report.problems.map((p) => `after restart ${run}: ${p}`));
      if (run > 0 && report.problems.length === 0) crashesSurvived++;
      options.log?.(
        `restart ${run}: ${report.orders} orders, ${report.sagas} sagas ` +
          `${JSON.stringify(report.sagasByStatus)}, ${report.ledgerEntries} ledger entries, ` +
          `${report.problems.length} problems`,
      );
      if (last) {
        await demo.kill();
        break;
      }
      // Traffic, then SIGKILL at a random moment with sagas and the projection mid-flight.
      let stopped = false;
      const traffic = runTraffic(
        () => (stopped ? [] : [demo.base]),
        record,
        () => stopped,
        options.clients,
      );
      await sleep(minRun + Math.random() * (maxRun - minRun));
      await demo.kill();
      stopped = true;
      await traffic;
      const left = await interrupted(client);
      sagasInterrupted += left.sagas;
      if (left.projectionBehind) projectionInterrupted++;
    }
  } finally {
    await client.end();
  }
  return {
    crashesSurvived,
    record,
    problems,
    report: report!,
    sagasInterrupted,
    projectionInterrupted,
  };
}

/** What a kill left unfinished: sagas in flight, and whether the projection was behind the log. */
async function interrupted(client: Client): Promise<{ sagas: number; projectionBehind: boolean }> {
  const { rows } = await client.query<{ sagas: number; behind: boolean }>(
    `SELECT (SELECT count(*)::int FROM cello_saga_instances
             WHERE status IN ('running', 'compensating')) AS sagas,
            coalesce((SELECT max(position) FROM cello_events), 0) >
            coalesce((SELECT checkpoint FROM cello_processors WHERE name = 'orders-read-model'), 0)
              AS behind`,
  );
  return { sagas: rows[0].sagas, projectionBehind: rows[0].behind };
}
