import type { Client } from 'pg';
import { connectToTestDatabase, usePostgresDatabase } from '../support/postgres-database';
import { waitUntil } from '../support/eventually';
import { FakeOrderServices } from './fixtures/fake-order-services';
import { expectSagasSettled } from './support/expect-sagas-settled';
import { killWorkers, spawnWorker, type Worker } from './support/spawn-worker';

/** Seconds of the leases of the processes under test: long enough to tell "at once" from "after expiry". */
const LEASE_TTL = '10';

interface Lease {
  id: string;
  token: number;
  incarnation: string | null;
  expiresAt: Date;
}

describe('A saga process restarted with the same instanceId (child processes on PostgreSQL)', () => {
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

  async function unfinishedLeases(): Promise<Lease[]> {
    const { rows } = await client.query<{
      id: string;
      token: string;
      incarnation: string | null;
      expires_at: Date;
    }>(
      `SELECT id, fencing_token AS token, lease_incarnation AS incarnation, lease_expires_at AS expires_at
       FROM cello_saga_instances WHERE status IN ('running', 'compensating')`,
    );
    return rows.map((r) => ({
      id: r.id,
      token: Number(r.token),
      incarnation: r.incarnation,
      expiresAt: r.expires_at,
    }));
  }

  /** Starts `sagas` in a process with instanceId `same`, waiting until they are mid-flight. */
  async function startSagas(sagas: number): Promise<Worker> {
    const first = spawnWorker([db.url, 'same', 'start', String(sagas), LEASE_TTL]);
    await waitUntil(
      'every saga started',
      () => first.lines.filter((l) => l.startsWith('started ')).length === sagas,
    );
    await waitUntil('some effects happened', async () => {
      const { rows } = await client.query<{ n: number }>(
        'SELECT count(*)::int AS n FROM fake_ledger',
      );
      return rows[0].n >= sagas;
    });
    return first;
  }

  describe('when the first process was killed mid-step', () => {
    it('should take its sagas over only once their leases expired or its heartbeat lapsed, and run no effect twice', async () => {
      // Given a process killed with sagas in flight, their leases live for seconds more
      const first = await startSagas(6);
      first.child.kill('SIGKILL');
      expect(await first.exited).toBe('SIGKILL');
      const abandoned = await unfinishedLeases();
      expect(abandoned.length).toBeGreaterThan(0);
      // Its sagas may be taken once their lease expired or once its heartbeat lapsed
      const { rows: beats } = await client.query<{ expires_at: Date }>(
        'SELECT expires_at FROM cello_saga_incarnations WHERE incarnation = $1',
        [abandoned[0].incarnation],
      );
      expect(beats).toHaveLength(1);
      const provenGoneAt = (lease: Lease) =>
        Math.min(lease.expiresAt.getTime(), beats[0].expires_at.getTime());
      // When a new process starts with the same instanceId
      const second = spawnWorker([db.url, 'same', 'recover', '0', LEASE_TTL]);
      // Then no saga is taken before that proof
      const takenEarly = new Set<string>();
      let done = false;
      const exited = second.exited.finally(() => (done = true));
      while (!done) {
        const { rows } = await client.query<{ id: string; token: string; now: Date }>(
          'SELECT id, fencing_token AS token, clock_timestamp() AS now FROM cello_saga_instances WHERE id = ANY($1)',
          [abandoned.map((l) => l.id)],
        );
        for (const row of rows) {
          const lease = abandoned.find((l) => l.id === row.id)!;
          if (Number(row.token) > lease.token && row.now.getTime() < provenGoneAt(lease)) {
            takenEarly.add(row.id);
          }
        }
        await new Promise((r) => setTimeout(r, 50));
      }
      expect(await exited).toBe(0);
      expect([...takenEarly]).toEqual([]);
      // and then it finished every one, each effect and compensation once
      await expectSagasSettled(client, 6);
      const { rows } = await client.query<{ token: string; incarnation: string }>(
        'SELECT fencing_token AS token, lease_incarnation AS incarnation FROM cello_saga_instances WHERE id = ANY($1)',
        [abandoned.map((l) => l.id)],
      );
      for (const row of rows) {
        expect(Number(row.token)).toBe(2);
        expect(row.incarnation).not.toBe(abandoned[0].incarnation);
      }
    }, 120_000);
  });

  describe('when the first process is alive', () => {
    it('should refuse to start the second one, which takes no saga', async () => {
      // Given a live process with sagas in flight
      const first = await startSagas(6);
      const before = await unfinishedLeases();
      // When a second process starts with the same instanceId
      const second = spawnWorker([db.url, 'same', 'recover', '0', LEASE_TTL]);
      // Then it fails to start
      expect(await second.exited).toBe(1);
      // and it took nothing: the first process finishes its own sagas, each effect once
      const after = await unfinishedLeases();
      for (const lease of after) {
        expect(before.find((l) => l.id === lease.id)).toMatchObject({
          token: lease.token,
          incarnation: lease.incarnation,
        });
      }
      await waitUntil('the first process finished its sagas', async () => {
        return (await unfinishedLeases()).length === 0;
      });
      await expectSagasSettled(client, 6);
      first.child.kill('SIGKILL');
    }, 120_000);
  });
});
