import { usePostgresDatabase } from '../support/postgres-database';
import { waitUntil } from '../support/eventually';
import {
  deathOf,
  insertCorruptSagaRows,
  quarantineLogCounts,
  sagaRows,
} from './support/corrupt-saga-rows';
import { checkInvariants, connect, waitForQuiet } from './support/demo-invariants';
import { killDemoProcesses, startDemoProcess } from './support/demo-process';
import { newTrafficRecord, runTraffic } from './support/order-traffic';

describe('when corrupt saga rows sit among healthy sagas and two demo instances recover sagas', () => {
  const db = usePostgresDatabase();

  afterEach(async () => {
    await killDemoProcesses();
  });

  it('should quarantine each corrupt row once, keep both instances alive and finish every healthy saga', async () => {
    const env = { DEMO_STEP_DELAY_MS: '50', CELLO_TEST_SAGA_LEASE_S: '2' };
    const client = await connect(db.url);
    try {
      // Given two instances (the first migrates the schema) with healthy sagas in flight
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
          // A dead instance fails the test at once, with its panic.
          if (dead().length > 0) throw new Error(dead().join('\n'));
          return check();
        });
      await alive('the first sagas are started', () => record.acknowledgedSagas.size >= 2);

      // ... and corrupt rows among them, left unfinished by an instance that died
      const corrupt = await insertCorruptSagaRows(client, 'corrupt');

      // When both instances' recovery scans meet them, while the traffic goes on
      await alive('every corrupt row is quarantined', async () =>
        [...(await sagaRows(client, corrupt)).values()].every((row) => row.status === 'corrupt'),
      );
      const quarantinedAt = record.acknowledgedSagas.size;
      await alive(
        'more sagas ran after the quarantine',
        () => record.acknowledgedSagas.size >= quarantinedAt + 6,
      );
      stopped = true;
      await traffic;
      const quiet = await waitForQuiet(client);

      // Then nobody died
      expect(dead()).toEqual([]);
      expect(demos.map((demo) => demo.stderr())).not.toContainEqual(
        expect.stringContaining('panicked'),
      );
      // ... each corrupt row was claimed once, quarantined, and logged once with its reason
      const rows = await sagaRows(client, corrupt);
      const logged = quarantineLogCounts(demos);
      for (const id of corrupt) {
        expect({ id, ...rows.get(id) }).toEqual({ id, status: 'corrupt', fencingToken: 2 });
        expect({ id, logged: logged.get(id) }).toEqual({ id, logged: 1 });
      }
      // ... and every healthy saga finished, with the effects its outcome implies
      expect(quiet).toEqual([]);
      expect(record.unexpected).toEqual([]);
      await client.query('DELETE FROM cello_saga_instances WHERE id = ANY($1)', [corrupt]);
      const report = await checkInvariants(client, record);
      expect(report.problems).toEqual([]);
      expect(report.sagas).toBeGreaterThanOrEqual(quarantinedAt + 6);
      expect(report.lost).toBe(0);
    } finally {
      await client.end();
    }
  }, 150_000);
});
