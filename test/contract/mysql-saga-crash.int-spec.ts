import path from 'node:path';
import { createConnection, type Connection, type RowDataPacket } from 'mysql2/promise';
import type { Client } from 'pg';
import { FakeOrderServices } from '../saga/fixtures/fake-order-services';
import { connectToTestDatabase, usePostgresDatabase } from '../support/postgres-database';
import { useMysqlDatabase } from '../support/mysql-database';
import { killWorkers, spawnScript, type Worker } from '../saga/support/spawn-worker';
import { waitUntil } from '../support/eventually';

const WORKER = path.join(__dirname, 'support/mysql-saga-worker.ts');
const FORWARD = ['reserve_inventory', 'charge_payment', 'create_shipment'];
const COMPENSATED = ['reserve_inventory', 'charge_payment', 'refund_payment', 'release_inventory'];

describe('Saga crash recovery with MySQL saga storage (child processes)', () => {
  const mysqlDb = useMysqlDatabase();
  // The fake services keep their ledger in PostgreSQL (the shared saga fixture).
  const ledgerDb = usePostgresDatabase();
  let mysql: Connection;
  let ledger: Client;

  function spawnWorker(instanceId: string, mode: string, count = '0'): Worker {
    return spawnScript(WORKER, [mysqlDb.url, ledgerDb.url, instanceId, mode, count]);
  }

  async function count(sql: string): Promise<number> {
    const [rows] = await mysql.query<RowDataPacket[]>(sql);
    return Number(rows[0].n);
  }

  const unfinished = () =>
    count(
      "SELECT COUNT(*) AS n FROM cello_saga_instances WHERE status IN ('running', 'compensating')",
    );

  beforeEach(async () => {
    mysql = await createConnection({ uri: mysqlDb.url });
    await mysql.query('DROP TABLE IF EXISTS cello_saga_instances, cello_saga_migrations');
    ledger = await connectToTestDatabase(ledgerDb.url);
    await ledger.query('DROP TABLE IF EXISTS fake_ledger, fake_calls');
    await FakeOrderServices.createTables(ledgerDb.url);
  });

  afterEach(async () => {
    killWorkers();
    await mysql.end();
    await ledger.end();
  });

  /** Starts `sagas` in a child and SIGKILLs it once they are mid-flight. */
  async function crashWithSagasInFlight(sagas: number): Promise<number> {
    const first = spawnWorker('first', 'start', String(sagas));
    await waitUntil(
      'every saga started',
      async () => first.lines.filter((l) => l.startsWith('started ')).length === sagas,
    );
    await waitUntil('some effects happened', async () => {
      const { rows } = await ledger.query<{ n: number }>(
        'SELECT count(*)::int AS n FROM fake_ledger',
      );
      return rows[0].n >= sagas;
    });
    first.child.kill('SIGKILL');
    expect(await first.exited).toBe('SIGKILL');
    return unfinished();
  }

  function recoveredBy(worker: Worker): string[] {
    const report = worker.lines.filter((l) => l.startsWith('{')).at(-1);
    return (JSON.parse(report ?? '{"recovered":[]}') as { recovered: string[] }).recovered;
  }

  /** Every saga terminal; the ledger shows each effect and compensation once, in order. */
  async function expectSagasSettled(expected: number): Promise<void> {
    const [sagas] = await mysql.query<RowDataPacket[]>(
      'SELECT id, status, context FROM cello_saga_instances',
    );
    expect(sagas).toHaveLength(expected);
    for (const saga of sagas) {
      const context = (
        typeof saga.context === 'string' ? JSON.parse(saga.context) : saga.context
      ) as { refuse?: string };
      const { rows } = await ledger.query<{ effect: string }>(
        'SELECT effect FROM fake_ledger WHERE saga_id = $1 ORDER BY created_at',
        [saga.id],
      );
      const want = context.refuse
        ? { status: 'compensated', ledger: COMPENSATED }
        : { status: 'completed', ledger: FORWARD };
      expect({ id: saga.id, status: saga.status, ledger: rows.map((r) => r.effect) }).toEqual({
        id: saga.id,
        ...want,
      });
    }
  }

  describe('when a process running sagas is killed with SIGKILL mid-step', () => {
    it('should let a new process drive every saga to a terminal state, each effect once', async () => {
      // Given sagas in flight in a process that is then killed
      const left = await crashWithSagasInFlight(12);
      expect(left).toBeGreaterThan(0);

      // When a new process starts
      const second = spawnWorker('second', 'recover');

      // Then it recovers every unfinished saga, each effect in the ledger once
      expect(await second.exited).toBe(0);
      expect(recoveredBy(second)).toHaveLength(left);
      await expectSagasSettled(12);
    }, 90_000);
  });

  describe('when two instances start on one database with abandoned sagas', () => {
    it('should recover each unfinished saga by exactly one instance', async () => {
      // Given (the crashed process may itself have re-leased a saga whose short
      // lease lapsed under load, so tokens are compared with those at the crash)
      const left = await crashWithSagasInFlight(24);
      expect(left).toBeGreaterThan(0);
      const [atCrash] = await mysql.query<RowDataPacket[]>(
        'SELECT id, fencing_token AS token FROM cello_saga_instances',
      );
      const tokenAtCrash = new Map(atCrash.map((row) => [row.id as string, Number(row.token)]));

      // When two instances start together
      const b = spawnWorker('instance-b', 'recover');
      const c = spawnWorker('instance-c', 'recover');
      expect(await b.exited).toBe(0);
      expect(await c.exited).toBe(0);

      // Then the recovered sets are disjoint and cover every unfinished saga,
      // each leased once after the crash (its fencing token one above the crash's)
      const byB = recoveredBy(b);
      const byC = recoveredBy(c);
      expect(byB.filter((id) => byC.includes(id))).toEqual([]);
      expect(byB.length + byC.length).toBe(left);
      const ids = [...byB, ...byC];
      const [rows] = await mysql.query<RowDataPacket[]>(
        `SELECT id, fencing_token AS token, lease_owner AS owner FROM cello_saga_instances
         WHERE id IN (${ids.map(() => '?').join(', ')})`,
        ids,
      );
      for (const row of rows) {
        expect({ token: Number(row.token), owner: row.owner }).toEqual({
          token: tokenAtCrash.get(row.id as string)! + 1,
          owner: byB.includes(row.id as string) ? 'instance-b' : 'instance-c',
        });
      }
      await expectSagasSettled(24);
    }, 90_000);
  });
});
