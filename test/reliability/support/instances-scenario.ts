import type { Client } from 'pg';
import { checkInvariants, connect, waitForQuiet, type InvariantReport } from './demo-invariants';
import { startDemoProcess, type DemoProcess } from './demo-process';
import { newTrafficRecord, runTraffic, type TrafficRecord } from './order-traffic';

/** The projection whose lease the scenario watches. */
export const WATCHED_SUBSCRIBER = 'orders-read-model';

/** Settings of {@link runInstancesScenario}. */
export interface InstancesOptions {
  /** Database shared by the instances (a fresh one). */
  readonly url: string;
  /** How many demo instances. */
  readonly instances: number;
  /** Traffic before the kill, in ms. Default 2000. */
  readonly loadMs?: number;
  /** DEMO_STEP_DELAY_MS, so sagas are mid-step at the kill. Default 150. */
  readonly stepDelayMs?: number;
  /** Bound on the takeover of the killed holder's subscriptions, in ms. Default 10 000. */
  readonly takeoverLimitMs?: number;
}

/** A `processors` row as sampled during the run. */
interface ProcessorRow {
  name: string;
  owner: string | null;
  fencing_token: string;
  live: boolean;
}

/** What the scenario observed and found. */
export interface InstancesResult {
  readonly record: TrafficRecord;
  readonly report: InvariantReport;
  readonly problems: string[];
  /** Per subscription: the distinct owners seen in the `processors` table before the kill. */
  readonly ownersBeforeKill: Record<string, string[]>;
  /** Per instance pid: the subscriptions it said it runs, with their fencing tokens. */
  readonly runsHere: { pid: number; subscriber: string; token: number }[];
  /** Instances that received at least one acknowledged order. */
  readonly instancesAppending: number;
  /** Sagas the killed instance held unfinished at the kill (recovered by the others). */
  readonly sagasOrphaned: number;
  /** Per saga the killed instance held unfinished: the pids of the instances that recovered it. */
  readonly recoveredBy: Record<string, number[]>;
  /** How long the takeover of the watched subscription took, in ms (undefined: not within the limit). */
  readonly takeoverMs: number | undefined;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function processors(client: Client): Promise<ProcessorRow[]> {
  return (
    await client.query<ProcessorRow>(
      `SELECT name, owner, fencing_token::text AS fencing_token,
              coalesce(lease_expires_at > now(), false) AS live
       FROM cello_processors ORDER BY name`,
    )
  ).rows;
}

/** The pid in a lease owner id (`<host>:<pid>:<random>` or `<host>-<pid>-<random>`). */
export function pidOf(owner: string | null): number | undefined {
  const match = owner ? /[:-](\d+)[:-][0-9a-f]+$/.exec(owner) : null;
  return match ? Number(match[1]) : undefined;
}

/** "Subscriber "x" runs here from position n (fencing token t)" lines of each instance. */
function runsHereOf(demos: DemoProcess[]): InstancesResult['runsHere'] {
  const found: InstancesResult['runsHere'] = [];
  for (const demo of demos) {
    for (const line of demo.lines) {
      const match = /Subscriber "([^"]+)" runs here from position \d+ \(fencing token (\d+)\)/.exec(
        line,
      );
      if (match) found.push({ pid: demo.pid, subscriber: match[1], token: Number(match[2]) });
    }
  }
  return found;
}

/**
 * Starts `instances` demo processes on one database, sends orders and async
 * fulfilments to all of them while sampling who holds each subscription's
 * lease, SIGKILLs the holder of the orders projection (with sagas in flight),
 * times the takeover, then lets the survivors finish and checks every invariant.
 */
export async function runInstancesScenario(options: InstancesOptions): Promise<InstancesResult> {
  const limit = options.takeoverLimitMs ?? 10_000;
  const env = {
    DEMO_STEP_DELAY_MS: String(options.stepDelayMs ?? 150),
    CELLO_TEST_SAGA_LEASE_S: '2',
  };
  const problems: string[] = [];
  const client = await connect(options.url);
  try {
    // The first instance migrates the schema; the others join at once.
    const first = await startDemoProcess(options.url, env);
    const demos = [
      first,
      ...(await Promise.all(
        Array.from({ length: options.instances - 1 }, () => startDemoProcess(options.url, env)),
      )),
    ];
    const pids = new Set(demos.map((demo) => demo.pid));

    // Traffic to every instance, sampling the leases meanwhile.
    const record = newTrafficRecord();
    let alive = demos;
    let stopped = false;
    const traffic = runTraffic(
      () => (stopped ? [] : alive.map((demo) => demo.base)),
      record,
      () => stopped,
      2 * options.instances,
    );
    const owners: Record<string, Set<string>> = {};
    const loadEnd = Date.now() + (options.loadMs ?? 2000);
    while (Date.now() < loadEnd) {
      for (const row of await processors(client)) {
        if (!row.owner || !row.live) continue;
        (owners[row.name] ??= new Set()).add(row.owner);
        if (!pids.has(pidOf(row.owner) ?? -1)) {
          problems.push(`${row.name} is held by ${row.owner}, no instance of this test`);
        }
      }
      await sleep(100);
    }

    // SIGKILL the holder of the watched projection, sagas in flight.
    const watched = (await processors(client)).find((row) => row.name === WATCHED_SUBSCRIBER);
    const holder = demos.find((demo) => demo.pid === pidOf(watched?.owner ?? null));
    if (!watched || !holder) {
      problems.push(`${WATCHED_SUBSCRIBER} has no live holder among the instances`);
      throw new Error(problems.join('\n'));
    }
    // Kill it while it holds unfinished sagas (waits a little for some if none right now).
    const inFlight = async () =>
      (
        await client.query<{ id: string }>(
          `SELECT id FROM cello_saga_instances
           WHERE status IN ('running', 'compensating') AND lease_owner LIKE $1`,
          [`%-${holder.pid}-%`],
        )
      ).rows.map((row) => row.id);
    let orphaned = await inFlight();
    for (const end = Date.now() + 5000; orphaned.length === 0 && Date.now() < end;) {
      await sleep(20);
      orphaned = await inFlight();
    }
    await holder.kill();
    const killedAt = Date.now();
    // Those it still held when it died (it may have finished some meanwhile).
    orphaned = await inFlight();
    alive = demos.filter((demo) => demo !== holder);
    let takeoverMs: number | undefined;
    while (Date.now() - killedAt <= limit) {
      const row = (await processors(client)).find((r) => r.name === WATCHED_SUBSCRIBER);
      const pid = pidOf(row?.owner ?? null);
      if (row?.live && pid !== undefined && pid !== holder.pid && pids.has(pid)) {
        if (Number(row.fencing_token) <= Number(watched.fencing_token)) {
          problems.push(`the takeover did not raise the fencing token of ${WATCHED_SUBSCRIBER}`);
        }
        takeoverMs = Date.now() - killedAt;
        break;
      }
      await sleep(100);
    }
    // A little more traffic on the survivors, so the new holder has work to take over.
    await sleep(500);
    stopped = true;
    await traffic;

    problems.push(...(await waitForQuiet(client)));
    const report = await checkInvariants(client, record);
    problems.push(...report.problems);
    for (const demo of alive) await demo.kill();

    return {
      record,
      report,
      problems,
      ownersBeforeKill: Object.fromEntries(
        Object.entries(owners).map(([name, set]) => [name, [...set]]),
      ),
      runsHere: runsHereOf(demos),
      instancesAppending: [...record.ordersByInstance.values()].filter((n) => n > 0).length,
      sagasOrphaned: orphaned.length,
      recoveredBy: Object.fromEntries(
        orphaned.map((id) => [
          id,
          alive
            .filter((demo) => demo.lines.some((line) => line.includes(`Recovering saga ${id} `)))
            .map((demo) => demo.pid),
        ]),
      ),
      takeoverMs,
    };
  } finally {
    await client.end();
  }
}
