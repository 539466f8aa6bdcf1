// The long version of test/reliability/corrupt-saga-rows-instances.e2e-spec.ts,
// run by `npm run soak` (scripts/soak.js), not by `npm test`: corrupt saga
// rows keep arriving among healthy sagas on PostgreSQL with 2 instances.
// Prints one `[reliability] corrupt rows: ...` line of counts.
import { waitUntil } from '../support/eventually';
import { createTestDatabase } from '../support/postgres-database';
import {
  CORRUPTION_KINDS,
  deathOf,
  insertCorruptSagaRows,
  quarantineLogCounts,
  sagaRows,
} from '../reliability/support/corrupt-saga-rows';
import { checkInvariants, connect, waitForQuiet } from '../reliability/support/demo-invariants';
import { killDemoProcesses, startDemoProcess } from '../reliability/support/demo-process';
import { newTrafficRecord, runTraffic } from '../reliability/support/order-traffic';

/** Minutes of this file: its own budget when soak.js gives one, else CELLO_SOAK_MINUTES. */
const MINUTES = Number(
  process.env.CELLO_CORRUPT_ROW_SOAK_MINUTES ?? process.env.CELLO_SOAK_MINUTES ?? 1,
);
const report = (line: string) => process.stdout.write(`[reliability] ${line}\n`);

describe('soak: corrupt saga rows keep arriving among healthy sagas, 2 instances', () => {
  afterEach(async () => {
    await killDemoProcesses();
  });

  it('should keep both instances alive, quarantine every corrupt row once and finish every healthy saga', async () => {
    const db = await createTestDatabase('soak-corrupt-rows');
    const client = await connect(db.url);
    try {
      // Given two instances with traffic (healthy sagas) on both
      const env = { DEMO_STEP_DELAY_MS: '50', CELLO_TEST_SAGA_LEASE_S: '2' };
      const demos = [await startDemoProcess(db.url, env)];
      demos.push(await startDemoProcess(db.url, env));
      const dead = () => demos.map(deathOf).filter((death) => death !== undefined);
      const record = newTrafficRecord();
      let stopped = false;
      const traffic = runTraffic(
        () => (stopped ? [] : demos.filter((demo) => !deathOf(demo)).map((demo) => demo.base)),
        record,
        () => stopped,
        4,
      );
      const alive = (what: string, check: () => Promise<boolean> | boolean) =>
        waitUntil(what, async () => {
          if (dead().length > 0) throw new Error(dead().join('\n'));
          return check();
        });
      await alive('the first sagas are started', () => record.acknowledgedSagas.size >= 2);

      // When a batch of corrupt rows arrives, round after round, while time lasts
      const corrupt: string[] = [];
      const end = Date.now() + MINUTES * 60_000;
      let rounds = 0;
      do {
        const batch = await insertCorruptSagaRows(client, `corrupt-${rounds}`);
        corrupt.push(...batch);
        await alive(`round ${rounds}'s corrupt rows are quarantined`, async () =>
          [...(await sagaRows(client, batch)).values()].every((row) => row.status === 'corrupt'),
        );
        rounds++;
      } while (Date.now() < end);
      stopped = true;
      await traffic;
      const quiet = await waitForQuiet(client);

      // Then
      const rows = await sagaRows(client, corrupt);
      const logged = quarantineLogCounts(demos);
      const quarantined = corrupt.filter((id) => rows.get(id)?.status === 'corrupt');
      const claimedAgain = corrupt.filter((id) => (rows.get(id)?.fencingToken ?? 0) > 2);
      const loggedOnce = corrupt.filter((id) => logged.get(id) === 1);
      await client.query('DELETE FROM cello_saga_instances WHERE id = ANY($1)', [corrupt]);
      const invariants = await checkInvariants(client, record);
      const problems = [...quiet, ...record.unexpected, ...invariants.problems, ...dead()];
      report(
        `corrupt rows: rounds=${rounds} kinds=${CORRUPTION_KINDS.length} inserted=${corrupt.length} ` +
          `quarantined=${quarantined.length} claimed_again=${claimedAgain.length} ` +
          `logged_once=${loggedOnce.length} deaths=${dead().length} ` +
          `healthy_sagas=${invariants.sagas} appends=${invariants.events} ` +
          `requests=${record.requests} lost=${invariants.lost} ` +
          `duplicated=${invariants.duplicated} problems=${problems.length}`,
      );
      // nobody died, every corrupt row was set aside once, every healthy saga finished
      expect(problems).toEqual([]);
      expect(quarantined).toHaveLength(corrupt.length);
      expect(claimedAgain).toEqual([]);
      expect(loggedOnce).toHaveLength(corrupt.length);
      expect(invariants.sagas).toBeGreaterThan(0);
    } finally {
      await client.end();
      await killDemoProcesses();
      await db.drop();
    }
  }, 3_600_000);
});
