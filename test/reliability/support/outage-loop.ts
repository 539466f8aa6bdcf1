import { startPrivatePostgres } from '../../support/private-postgres';
import { checkInvariants, connect, waitForQuiet, type InvariantReport } from './demo-invariants';
import { startDemoProcess } from './demo-process';
import { newTrafficRecord, runTraffic, type TrafficRecord } from './order-traffic';

/** Settings of {@link runOutageLoop}. */
export interface OutageLoopOptions {
  /** Outages to survive (at least). */
  readonly outages: number;
  /** Asked after the minimum: true to go on with another outage. */
  readonly more?: () => boolean;
  /** How long the database stays down, in ms. Default 2000. */
  readonly downMs?: number;
  /** Bound on the demo's recovery once the database is back, in ms. Default 10 000. */
  readonly recoveryLimitMs?: number;
  readonly log?: (line: string) => void;
}

/** What an outage loop did and found. */
export interface OutageLoopResult {
  readonly outagesSurvived: number;
  readonly record: TrafficRecord;
  readonly problems: string[];
  readonly report: InvariantReport;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function healthStatus(base: string): Promise<number | undefined> {
  try {
    const response = await fetch(`${base}/health`, { signal: AbortSignal.timeout(3000) });
    await response.arrayBuffer();
    return response.status;
  } catch {
    return undefined;
  }
}

/**
 * The demo (one process, never restarted) on a PostgreSQL of its own, under
 * order traffic, while that PostgreSQL is stopped and started again and again.
 * After each outage the demo must answer `/health` 200 again (bounded), and
 * once quiet every invariant of the crash loop holds.
 */
export async function runOutageLoop(options: OutageLoopOptions): Promise<OutageLoopResult> {
  const postgres = await startPrivatePostgres();
  const admin = await connect(postgres.url);
  await admin.query('CREATE DATABASE soak_outage');
  await admin.end();
  const url = postgres.url.replace(/\/postgres$/, '/soak_outage');
  const demo = await startDemoProcess(url, { DEMO_STEP_DELAY_MS: '50' });
  const record = newTrafficRecord();
  record.outagesExpected = true;
  const problems: string[] = [];
  let outagesSurvived = 0;
  let stopped = false;
  const traffic = runTraffic(
    () => (stopped ? [] : [demo.base]),
    record,
    () => stopped,
    3,
  );
  try {
    for (let outage = 1; ; outage++) {
      await sleep(1000);
      await postgres.stop();
      await sleep(options.downMs ?? 2000);
      const down = await healthStatus(demo.base);
      if (down !== 503) problems.push(`outage ${outage}: /health answered ${down} while down`);
      await postgres.start();
      const end = Date.now() + (options.recoveryLimitMs ?? 10_000);
      let status = await healthStatus(demo.base);
      while (status !== 200 && Date.now() < end) {
        await sleep(100);
        status = await healthStatus(demo.base);
      }
      if (status !== 200)
        problems.push(`outage ${outage}: /health still ${status} after the restart`);
      else outagesSurvived++;
      options.log?.(`outage ${outage}: /health ${down} while down, ${status} after`);
      if (outage >= options.outages && !(options.more?.() ?? false)) break;
    }
    await sleep(1000);
    stopped = true;
    await traffic;
    const client = await connect(url);
    try {
      problems.push(...(await waitForQuiet(client)));
      const report = await checkInvariants(client, record);
      problems.push(...report.problems);
      return { outagesSurvived, record, problems, report };
    } finally {
      await client.end();
    }
  } finally {
    stopped = true;
    await demo.kill();
    await postgres.destroy();
  }
}
