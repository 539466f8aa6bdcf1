import { usePostgresDatabase } from '../support/postgres-database';
import { bootDemo, createOrder, fulfillBody, type RunningDemo } from '../e2e/demo-support';

/** The value of one series in Prometheus text format, 0 when absent. */
function seriesValue(metrics: string, series: string): number {
  const line = metrics.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? 0 : Number(line.slice(series.length + 1));
}

describe('the demo metrics at /metrics', () => {
  const db = usePostgresDatabase();
  let demo: RunningDemo;
  let before: string;
  let after: string;

  beforeAll(async () => {
    demo = await bootDemo({ databaseUrl: db.url });
    before = (await demo.http().get('/metrics').expect(200)).text;
    // Real work: orders, a refused transition, a snapshot, a good and a failed fulfilment.
    const shipped = await createOrder(demo);
    await demo
      .http()
      .post(`/orders/${shipped}/ship`)
      .send({ tracking_number: 'TRK-1' })
      .expect(200);
    const cancelled = await createOrder(demo);
    await demo.http().post(`/orders/${cancelled}/cancel`).send({ reason: 'changed mind' });
    await demo
      .http()
      .post(`/orders/${cancelled}/ship`)
      .send({ tracking_number: 'TRK-2' })
      .expect(409);
    await demo.http().post(`/orders/${shipped}/snapshot`).expect(200);
    await demo.http().get(`/orders/${shipped}`).expect(200);
    await demo.http().post(`/orders/${shipped}/fulfill`).send(fulfillBody()).expect(200);
    const declined = await createOrder(demo);
    await demo
      .http()
      .post(`/orders/${declined}/fulfill`)
      .send(fulfillBody({ total: 20_000 }))
      .expect(500);
    await demo.http().post('/orders').send({ customer_id: 42 }).expect(400);
    after = (await demo.http().get('/metrics').expect(200)).text;
  });

  afterAll(async () => {
    await demo.close();
  });

  function grew(series: string): number {
    return seriesValue(after, series) - seriesValue(before, series);
  }

  it('should count events appended by type, snapshots and append durations', () => {
    expect(grew('cello_events_appended_total{event_type="OrderCreated"}')).toBe(3);
    expect(grew('cello_events_appended_total{event_type="OrderShipped"}')).toBe(1);
    expect(grew('cello_events_appended_total{event_type="OrderCancelled"}')).toBe(1);
    expect(grew('cello_snapshots_created_total{aggregate="Order"}')).toBe(1);
    expect(grew('cello_event_append_duration_seconds_count')).toBeGreaterThanOrEqual(5);
    expect(after).toMatch(/cello_events_replayed_total\{aggregate="Order"\} \d+/);
    expect(after).toContain('# TYPE cello_concurrency_conflicts_total counter');
  });

  it('should count commands and queries by outcome, with duration histograms', () => {
    expect(after).toMatch(/cello_commands_dispatched_total\{command="\w+",outcome="success"\} \d+/);
    expect(after).toMatch(/cello_commands_dispatched_total\{command="\w+",outcome="error"\} \d+/);
    expect(after).toMatch(/cello_queries_dispatched_total\{query="\w+",outcome="success"\} \d+/);
    expect(after).toMatch(/cello_command_duration_seconds_bucket\{le="[\d.]+",command="\w+"\} \d+/);
    expect(after).toMatch(/cello_query_duration_seconds_count\{query="\w+"\} \d+/);
    expect(after).toMatch(/cello_projection_lag_events\{projection="[\w-]+"\} 0/);
  });

  it('should count sagas by outcome, steps and compensations', () => {
    expect(grew('cello_saga_executions_total{saga="OrderSaga",outcome="completed"}')).toBe(1);
    expect(grew('cello_saga_executions_total{saga="OrderSaga",outcome="compensated"}')).toBe(1);
    expect(
      grew('cello_saga_steps_completed_total{saga="OrderSaga",step="reserve_inventory"}'),
    ).toBe(2);
    expect(grew('cello_saga_steps_completed_total{saga="OrderSaga",step="ship_order"}')).toBe(1);
    expect(grew('cello_saga_compensations_total{saga="OrderSaga",step="reserve_inventory"}')).toBe(
      1,
    );
    expect(after).toContain('# TYPE cello_saga_timeouts_total counter');
    expect(seriesValue(after, 'cello_sagas_in_flight{saga="OrderSaga"}')).toBe(0);
  });

  it('should label series with type names only, never ids or payloads', () => {
    const cello = after.split('\n').filter((l) => l.startsWith('cello_'));
    expect(cello.length).toBeGreaterThan(10);
    for (const line of cello) {
      expect(line).not.toMatch(/[0-9a-f]{8}-[0-9a-f]{4}-/); // no UUIDs
      expect(line).not.toContain('customer-1');
    }
  });
});
