// The long versions of the crash, outage and many-instance tests, run by
// `npm run soak -- --minutes N` (scripts/soak.js), not by `npm test`. Each
// phase prints one `[reliability] ...` line of counts; soak.js adds them up.
import { createTestDatabase } from '../support/postgres-database';
import { runCrashLoop } from '../reliability/support/crash-loop';
import { killDemoProcesses } from '../reliability/support/demo-process';
import { runInstancesScenario } from '../reliability/support/instances-scenario';
import { runOutageLoop } from '../reliability/support/outage-loop';

/** Minutes for the phases of this file (soak.js passes its share of --minutes). */
const MINUTES = Number(process.env.CELLO_SOAK_MINUTES ?? 3);
const BUDGET_MS = MINUTES * 60_000;
const started = Date.now();
/** True while phase `share` (a fraction of the budget, cumulative) has time left. */
const within = (share: number) => () => Date.now() - started < BUDGET_MS * share;
const log = (line: string) => process.stdout.write(`  ${line}\n`);
const report = (line: string) => process.stdout.write(`[reliability] ${line}\n`);

describe('soak: the demo under crashes, database outages and many instances', () => {
  afterEach(async () => {
    await killDemoProcesses();
  });

  it('should survive at least 20 SIGKILLs, and more while its share of the time lasts', async () => {
    // Given a fresh database; When the demo is killed again and again under traffic
    const db = await createTestDatabase('soak-crash');
    try {
      const result = await runCrashLoop({ url: db.url, crashes: 20, more: within(0.55), log });
      report(
        `crash loop: crashes=${result.crashesSurvived} appends=${result.report.events} ` +
          `conflicts=${result.record.conflicts} sagas=${result.report.sagas} ` +
          `sagas_interrupted=${result.sagasInterrupted} projection_interrupted=${result.projectionInterrupted} ` +
          `requests=${result.record.requests} lost=${result.report.lost} duplicated=${result.report.duplicated} ` +
          `problems=${result.problems.length}`,
      );
      // Then every invariant held after every restart
      expect(result.problems).toEqual([]);
    } finally {
      await db.drop();
    }
  }, 3_600_000);

  it('should survive database outages without a restart', async () => {
    // Given the demo on a PostgreSQL of its own; When that PostgreSQL is stopped and started
    const result = await runOutageLoop({ outages: 3, more: within(0.75), log });
    report(
      `outages: outages=${result.outagesSurvived} appends=${result.report.events} ` +
        `conflicts=${result.record.conflicts} unavailable_answers=${result.record.unavailable} ` +
        `requests=${result.record.requests} lost=${result.report.lost} ` +
        `duplicated=${result.report.duplicated} problems=${result.problems.length}`,
    );
    // Then it recovered each time and every invariant held
    expect(result.problems).toEqual([]);
  }, 3_600_000);

  it('should share one database among 2 and 4 instances, killing the subscription holder each round', async () => {
    // Given 2, then 4, then 2... instances on a fresh database each round
    let rounds = 0;
    do {
      const instances = rounds % 2 === 0 ? 2 : 4;
      const db = await createTestDatabase('soak-instances');
      try {
        // When the holder of the orders projection is SIGKILLed under traffic
        const result = await runInstancesScenario({ url: db.url, instances });
        const recoverers = Object.values(result.recoveredBy).map((pids) => pids.length);
        report(
          `instances ${instances}: crashes=1 appends=${result.report.events} ` +
            `conflicts=${result.record.conflicts} takeover_ms=${result.takeoverMs} ` +
            `sagas_orphaned=${result.sagasOrphaned} ` +
            `recovered_by_one=${recoverers.filter((n) => n === 1).length} ` +
            `recovered_by_several=${recoverers.filter((n) => n > 1).length} ` +
            `requests=${result.record.requests} ` +
            `lost=${result.report.lost} duplicated=${result.report.duplicated} ` +
            `problems=${result.problems.length}`,
        );
        // Then it was taken over in time and every invariant held
        expect(result.problems).toEqual([]);
        expect(result.takeoverMs).toBeDefined();
        expect(recoverers.every((n) => n === 1)).toBe(true);
      } finally {
        await killDemoProcesses();
        await db.drop();
      }
      rounds++;
    } while (rounds < 2 || within(1)());
  }, 3_600_000);
});
