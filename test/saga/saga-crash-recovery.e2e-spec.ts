import type { Client } from 'pg';
import { connectToTestDatabase, usePostgresDatabase } from '../support/postgres-database';
import { FakeOrderServices } from './fixtures/fake-order-services';
import { expectSagasSettled, repeatedCalls } from './support/expect-sagas-settled';
import { waitUntil } from '../support/eventually';
import { killWorkers, spawnWorker, type Worker } from './support/spawn-worker';

const UNFINISHED = `SELECT count(*)::int AS n FROM cello_saga_instances
  WHERE status IN ('running', 'compensating')`;

describe('Saga crash recovery (child processes on PostgreSQL)', () => {
  const db = usePostgresDatabase();
  let client: Client;

  beforeEach(async () => {
    client = await connectToTestDatabase(db.url);
    await client.query(
      'DROP TABLE IF EXISTS fake_ledger, fake_calls, cello_saga_instances, cello_saga_incarnations, cello_saga_migrations',
    );
    await FakeOrderServices.createTables(db.url);
  });

  afterEach(async () => {
    killWorkers();
    await client.end();
  });

  async function count(sql: string): Promise<number> {
    return (await client.query<{ n: number }>(sql)).rows[0].n;
  }

  /** Starts `sagas` in a child and SIGKILLs it once they are mid-flight (and `until` holds). */
  async function crashWithSagasInFlight(
    sagas: number,
    until: () => Promise<boolean> = async () => true,
  ): Promise<number> {
    const first = spawnWorker([db.url, 'first', 'start', String(sagas)]);
    await waitUntil(
      'every saga started',
      () => first.lines.filter((l) => l.startsWith('started ')).length === sagas,
    );
    await waitUntil(
      'some effects happened',
      async () => (await count('SELECT count(*)::int AS n FROM fake_ledger')) >= sagas,
    );
    await waitUntil('the moment to crash', until);
    first.child.kill('SIGKILL');
    expect(await first.exited).toBe('SIGKILL');
    return count(UNFINISHED);
  }

  function recoveredBy(worker: Worker): string[] {
    const report = worker.lines.filter((l) => l.startsWith('{')).at(-1);
    return (JSON.parse(report ?? '{"recovered":[]}') as { recovered: string[] }).recovered;
  }

  describe('when a process running sagas is killed with SIGKILL mid-step', () => {
    it('should let a new process drive every saga to a terminal state, each effect once', async () => {
      // Given sagas in flight in a process that is then killed
      const unfinished = await crashWithSagasInFlight(12);
      expect(unfinished).toBeGreaterThan(0);
      // When a new process starts
      const second = spawnWorker([db.url, 'second', 'recover']);
      // Then it recovers every unfinished saga
      expect(await second.exited).toBe(0);
      expect(recoveredBy(second)).toHaveLength(unfinished);
      await expectSagasSettled(client, 12);
      // and the steps in flight at the crash were called again with the same key
      expect(await repeatedCalls(client)).toBeGreaterThan(0);
    }, 90_000);
  });

  describe('when the process is killed while sagas are compensating', () => {
    it('should finish their compensations, each applied once', async () => {
      // Given a crash while refused orders are being compensated
      const unfinished = await crashWithSagasInFlight(
        12,
        async () =>
          (await count(
            `SELECT count(*)::int AS n FROM cello_saga_instances WHERE status = 'compensating'`,
          )) > 0,
      );
      const compensating = await count(
        `SELECT count(*)::int AS n FROM cello_saga_instances WHERE status = 'compensating'`,
      );
      expect(compensating).toBeGreaterThan(0);
      // When a new process starts
      const second = spawnWorker([db.url, 'second', 'recover']);
      // Then every saga settles, each compensation in the ledger once
      expect(await second.exited).toBe(0);
      expect(recoveredBy(second)).toHaveLength(unfinished);
      await expectSagasSettled(client, 12);
    }, 90_000);
  });

  describe('when two instances start on one database with abandoned sagas', () => {
    it('should recover each unfinished saga by exactly one instance', async () => {
      // Given
      const unfinished = await crashWithSagasInFlight(24);
      expect(unfinished).toBeGreaterThan(0);
      // When two instances start together
      const b = spawnWorker([db.url, 'instance-b', 'recover']);
      const c = spawnWorker([db.url, 'instance-c', 'recover']);
      expect(await b.exited).toBe(0);
      expect(await c.exited).toBe(0);
      // Then the recovered sets are disjoint and cover every unfinished saga
      const byB = recoveredBy(b);
      const byC = recoveredBy(c);
      expect(byB.filter((id) => byC.includes(id))).toEqual([]);
      expect(byB.length + byC.length).toBe(unfinished);
      // and each was leased once after the crash (fencing token 1 -> 2)
      const { rows } = await client.query<{ id: string; token: string; owner: string }>(
        `SELECT id, fencing_token AS token, lease_owner AS owner FROM cello_saga_instances
         WHERE id = ANY($1)`,
        [[...byB, ...byC]],
      );
      for (const row of rows) {
        expect({ token: Number(row.token), owner: row.owner }).toEqual({
          token: 2,
          owner: byB.includes(row.id) ? 'instance-b' : 'instance-c',
        });
      }
      await expectSagasSettled(client, 24);
    }, 90_000);
  });
});
