import { createConnection, type Connection } from 'mysql2/promise';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { useMysqlDatabase } from '../../../support/mysql-database';
import { connectToTestDatabase, usePostgresDatabase } from '../../../support/postgres-database';
import { isTransientError } from '@cello/event-sourcing/subscriptions/transient-error-classifier';

/** The error `work` rejects with (fails the test when it resolves). */
async function errorOf(work: Promise<unknown>): Promise<unknown> {
  try {
    await work;
  } catch (error) {
    return error;
  }
  throw new Error('expected the statement to fail');
}

/** Runs `a` and `b` in two transactions that each lock a row the other then wants. */
async function deadlock(
  lockFirst: (row: number) => Promise<unknown>,
  lockSecond: (row: number) => Promise<unknown>,
): Promise<unknown> {
  await lockFirst(1);
  await lockSecond(2);
  const results = await Promise.allSettled([lockFirst(2), lockSecond(1)]);
  const rejected = results.find((r) => r.status === 'rejected');
  if (!rejected) throw new Error('expected a deadlock');
  return rejected.reason;
}

describe('isTransientError on errors raised by real servers', () => {
  describe('PostgreSQL', () => {
    const db = usePostgresDatabase();
    const clients: Client[] = [];

    async function client(): Promise<Client> {
      const opened = await connectToTestDatabase(db.url);
      clients.push(opened);
      return opened;
    }

    beforeAll(async () => {
      const setup = await client();
      await setup.query(
        'CREATE TABLE IF NOT EXISTS amounts (id int PRIMARY KEY, amount numeric(14,2) NOT NULL)',
      );
      await setup.query('INSERT INTO amounts VALUES (1, 0), (2, 0) ON CONFLICT (id) DO NOTHING');
    });

    afterEach(async () => {
      await Promise.all(clients.splice(0).map((c) => c.end().catch(() => undefined)));
    });

    it('should not call a numeric overflow (22003) or a duplicate key (23505) transient', async () => {
      const c = await client();
      const overflow = await errorOf(c.query('UPDATE amounts SET amount = 1e15 WHERE id = 1'));
      const duplicate = await errorOf(c.query('INSERT INTO amounts VALUES (1, 0)'));
      expect(overflow).toMatchObject({ code: '22003' });
      expect(duplicate).toMatchObject({ code: '23505' });
      expect(isTransientError(overflow)).toBe(false);
      expect(isTransientError(duplicate)).toBe(false);
    });

    it('should call a deadlock, a lock not available and a statement timeout transient', async () => {
      const [a, b] = [await client(), await client()];
      await a.query('BEGIN');
      await b.query('BEGIN');
      const lock = (c: Client) => (row: number) =>
        c.query('UPDATE amounts SET amount = amount + 1 WHERE id = $1', [row]);
      const deadlocked = await deadlock(lock(a), lock(b));
      await a.query('ROLLBACK');
      await b.query('ROLLBACK');

      await a.query('BEGIN');
      await a.query('SELECT 1 FROM amounts WHERE id = 1 FOR UPDATE');
      const notAvailable = await errorOf(
        b.query('SELECT 1 FROM amounts WHERE id = 1 FOR UPDATE NOWAIT'),
      );
      await a.query('ROLLBACK');
      await b.query('SET statement_timeout = 50');
      const timedOut = await errorOf(b.query('SELECT pg_sleep(5)'));

      expect(deadlocked).toMatchObject({ code: '40P01' });
      expect(notAvailable).toMatchObject({ code: '55P03' });
      expect(timedOut).toMatchObject({ code: '57014' });
      for (const error of [deadlocked, notAvailable, timedOut]) {
        expect(isTransientError(error)).toBe(true);
      }
    });

    it('should call a refused connection and a killed session transient, and read the driverError of TypeORM', async () => {
      const refused = await errorOf(
        new Client({ connectionString: 'postgres://x@127.0.0.1:1/x' }).connect(),
      );
      const [victim, killer] = [await client(), await client()];
      const { rows } = await victim.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
      const killed = errorOf(victim.query('SELECT pg_sleep(5)'));
      await killer.query('SELECT pg_terminate_backend($1)', [rows[0].pid]);
      const dataSource = new DataSource({
        type: 'postgres',
        url: db.url,
        extra: { statement_timeout: 50 },
      });
      await dataSource.initialize();
      const badInput = await errorOf(dataSource.query("SELECT 'x'::int"));
      const slow = await errorOf(dataSource.query('SELECT pg_sleep(5)'));
      await dataSource.destroy();

      expect(isTransientError(refused)).toBe(true);
      expect(isTransientError(await killed)).toBe(true);
      expect(badInput).toMatchObject({ name: 'QueryFailedError', driverError: { code: '22P02' } });
      expect(slow).toMatchObject({ name: 'QueryFailedError', driverError: { code: '57014' } });
      expect(isTransientError(badInput)).toBe(false);
      expect(isTransientError(slow)).toBe(true);
    });
  });

  describe('MySQL', () => {
    const db = useMysqlDatabase();
    const connections: Connection[] = [];

    async function connection(): Promise<Connection> {
      const opened = await createConnection({ uri: db.url });
      connections.push(opened);
      return opened;
    }

    afterEach(async () => {
      await Promise.all(connections.splice(0).map((c) => c.end().catch(() => undefined)));
    });

    it('should call a deadlock (1213) and a lock wait timeout (1205) transient, not a duplicate key', async () => {
      const [a, b] = [await connection(), await connection()];
      await a.query(
        'CREATE TABLE IF NOT EXISTS amounts (id INT PRIMARY KEY, amount DECIMAL(14,2) NOT NULL) ENGINE=InnoDB',
      );
      await a.query('INSERT IGNORE INTO amounts VALUES (1, 0), (2, 0)');
      await a.query('BEGIN');
      await b.query('BEGIN');
      const lock = (c: Connection) => (row: number) =>
        c.query('UPDATE amounts SET amount = amount + 1 WHERE id = ?', [row]);
      const deadlocked = await deadlock(lock(a), lock(b));
      await a.query('ROLLBACK');
      await b.query('ROLLBACK');

      await a.query('BEGIN');
      await a.query('SELECT 1 FROM amounts WHERE id = 1 FOR UPDATE');
      await b.query('SET SESSION innodb_lock_wait_timeout = 1');
      const waited = await errorOf(b.query('UPDATE amounts SET amount = 1 WHERE id = 1'));
      await a.query('ROLLBACK');
      const duplicate = await errorOf(a.query('INSERT INTO amounts VALUES (1, 0)'));

      expect(deadlocked).toMatchObject({ errno: 1213 });
      expect(waited).toMatchObject({ errno: 1205 });
      expect(duplicate).toMatchObject({ errno: 1062 });
      expect(isTransientError(deadlocked)).toBe(true);
      expect(isTransientError(waited)).toBe(true);
      expect(isTransientError(duplicate)).toBe(false);
    });
  });
});
