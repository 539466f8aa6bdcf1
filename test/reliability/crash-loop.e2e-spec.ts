import { usePostgresDatabase } from '../support/postgres-database';
import { runCrashLoop } from './support/crash-loop';
import { checkInvariants, connect } from './support/demo-invariants';
import { killDemoProcesses } from './support/demo-process';

// The short version of the crash loop (`npm run soak` runs the long one).
describe('when the demo is killed with SIGKILL at random moments, again and again', () => {
  const db = usePostgresDatabase();

  afterEach(async () => {
    await killDemoProcesses();
  });

  it('should settle every saga, apply each effect once and lose no acknowledged write', async () => {
    // Given: the demo on PostgreSQL under traffic (async fulfilments hitting each failure rule,
    // cancellations, the orders projection following), slow service calls so kills land mid-step
    // When: it is killed 4 times and restarted each time
    const result = await runCrashLoop({ url: db.url, crashes: 4 });

    // Then: after every restart all invariants held
    expect(result.problems).toEqual([]);
    expect(result.crashesSurvived).toBe(4);
    expect(result.report.lost).toBe(0);
    expect(result.report.duplicated).toBe(0);
    // and the kills did interrupt work: sagas in flight, orders written and acknowledged
    expect(result.sagasInterrupted).toBeGreaterThan(0);
    expect(result.record.acknowledgedOrders.size).toBeGreaterThan(0);
    expect(result.report.sagasByStatus.completed).toBeGreaterThan(0);
    expect(result.report.sagasByStatus.compensated).toBeGreaterThan(0);

    // and the checks are not vacuous: a doubled charge, a lost order and a stale row are caught
    const client = await connect(db.url);
    try {
      const { rows } = await client.query<{ order_id: string }>(
        `SELECT order_id FROM demo.ledger WHERE service = 'payment' AND action = 'charge' LIMIT 1`,
      );
      await client.query(
        `INSERT INTO demo.ledger (service, action, order_id, amount, idempotency_key, reference, answer)
         VALUES ('payment', 'charge', $1, 1, 'doubled', 'doubled', '{}')`,
        [rows[0].order_id],
      );
      const stale = [...result.record.acknowledgedOrders][0];
      await client.query(`UPDATE demo_read.orders SET status = 'shipped' WHERE id = $1`, [stale]);
      result.record.acknowledgedOrders.add('never-written');
      const tampered = await checkInvariants(client, result.record);
      expect(tampered.duplicated).toBe(1);
      expect(tampered.lost).toBe(1);
      expect(tampered.problems.some((p) => p.startsWith(`read model of ${stale}`))).toBe(true);
    } finally {
      await client.end();
    }
  }, 120_000);
});
