import type { Client } from 'pg';
import { samplePostgresLoad } from '../../bench/support/postgres-load-sampler';
import { waitUntil } from '../support/eventually';
import { connectToTestDatabase, usePostgresDatabase } from '../support/postgres-database';

describe("the scale-out workload's view of PostgreSQL", () => {
  const database = usePostgresDatabase();
  let holder: Client;
  let waiter: Client;

  beforeAll(async () => {
    holder = await connectToTestDatabase(database.url);
    waiter = await connectToTestDatabase(database.url);
    await holder.query('CREATE TABLE counter (id int PRIMARY KEY, n int NOT NULL)');
    await holder.query('INSERT INTO counter VALUES (1, 0)');
  });

  afterAll(async () => {
    await holder.end();
    await waiter.end();
  });

  it('counts a backend blocked on a row lock as waiting on a heavyweight lock', async () => {
    // Given a transaction holding the row and a second backend blocked behind it
    await holder.query('BEGIN');
    await holder.query('UPDATE counter SET n = n + 1 WHERE id = 1');
    const blocked = waiter.query('UPDATE counter SET n = n + 1 WHERE id = 1');
    const probe = await connectToTestDatabase(database.url);
    await waitUntil('the second update waits on the lock', async () => {
      const { rows } = await probe.query(
        `SELECT 1 FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`,
      );
      return rows.length === 1;
    });
    await probe.end();

    // When the sampler watches for a few samples
    const sampler = await samplePostgresLoad(database.url, { intervalMs: 20 });
    await waitUntil('five samples', () => sampler.sampled() >= 5);
    const load = await sampler.stop();
    await holder.query('COMMIT');
    await blocked;

    // Then the one active backend waited on a lock in every sample; the holder is idle in its transaction
    expect(load.samples).toBeGreaterThanOrEqual(5);
    expect(load.activeBackends).toBe(1);
    expect(load.lockWaiting).toBe(1);
    expect(load.onCpu).toBe(0);
    expect(load.topWaits).toMatch(/^Lock:\w+ 100%$/);
    // The server is local here: its backends' CPU time is read from /proc.
    expect(load.pgCpuShare).toBeGreaterThanOrEqual(0);
    expect(load.pgCpuShare).toBeLessThan(1);
    expect(load.machineCpuShare).toBeGreaterThanOrEqual(0);
    expect(load.machineCpuShare).toBeLessThanOrEqual(1);
  });
});
