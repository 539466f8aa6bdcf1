import type { Client } from 'pg';
import {
  bootDemo,
  createOrder,
  FAST_SAGAS,
  fulfillBody,
  type RunningDemo,
} from '../e2e/demo-support';
import { connectToTestDatabase, usePostgresDatabase } from '../support/postgres-database';
import { eventually } from '../support/eventually';

describe('the demo when saga rows are corrupt (PostgreSQL)', () => {
  const db = usePostgresDatabase();
  let demo: RunningDemo;
  let sql: Client;

  beforeAll(async () => {
    demo = await bootDemo({
      databaseUrl: db.url,
      stepDelayMs: 300,
      saga: { ...FAST_SAGAS, leaseTtlSeconds: 1, recoveryIntervalSeconds: 0.2 },
    });
    sql = await connectToTestDatabase(db.url);
  });

  afterAll(async () => {
    await sql.end();
    await demo.close();
  });

  async function statusOf(sagaId: string): Promise<string> {
    const { rows } = await sql.query<{ status: string }>(
      'SELECT status FROM cello_saga_instances WHERE id = $1',
      [sagaId],
    );
    return rows[0].status;
  }

  it('should still recover an abandoned saga when corrupt unfinished rows come first, and keep serving', async () => {
    // Given the stored state of an OrderSaga caught mid-way
    const first = await createOrder(demo, 'customer-saga-rows');
    const started = await demo
      .http()
      .post(`/orders/${first}/fulfill?mode=async`)
      .send(fulfillBody({ customerId: 'customer-saga-rows' }))
      .expect(202);
    const firstSaga = (started.body as { saga_id: string }).saga_id;
    const { rows } = await sql.query<{ state: unknown; context: Record<string, unknown> }>(
      'SELECT state, context FROM cello_saga_instances WHERE id = $1',
      [firstSaga],
    );
    await eventually(async () => {
      if ((await statusOf(firstSaga)) === 'running') throw new Error('still running');
    }, 15_000);

    // ... an abandoned copy of it (its instance died), and older corrupt rows ahead of it
    const second = await createOrder(demo, 'customer-saga-rows');
    const abandoned = `abandoned-${second}`;
    await sql.query(
      `INSERT INTO cello_saga_instances
         (id, saga_name, status, state, context, lease_owner, lease_expires_at, fencing_token)
       VALUES ($1, 'OrderSaga', 'running', $2, $3, 'dead-instance', now() - interval '1 minute', 1)`,
      [
        abandoned,
        JSON.stringify(rows[0].state),
        JSON.stringify({ ...rows[0].context, orderId: second }),
      ],
    );
    const corrupt = [
      ['corrupt-state', `'"not a state"'::jsonb`],
      ['corrupt-shape', `'{"step": "nowhere", "phase": 42}'::jsonb`],
    ];
    for (const [id, state] of corrupt) {
      await sql.query(
        `INSERT INTO cello_saga_instances
           (id, saga_name, status, state, context, lease_owner, lease_expires_at, fencing_token)
         VALUES ($1, 'OrderSaga', 'running', ${state}, '{}', 'dead-instance', now() - interval '1 hour', 1)`,
        [id],
      );
    }

    // When recovery scans
    // Then the abandoned saga is recovered and finishes, and the app keeps serving
    await eventually(async () => {
      const status = await statusOf(abandoned);
      if (status === 'running' || status === 'compensating') throw new Error(status);
    }, 15_000);
    expect(await statusOf(abandoned)).toBe('completed');
    // ... the corrupt rows are quarantined (never claimed again), their state kept for an operator
    await eventually(async () => {
      for (const [id] of corrupt) expect(await statusOf(id)).toBe('corrupt');
    }, 15_000);
    const listed = await demo.http().get('/sagas/api/sagas');
    const detail = await demo.http().get('/sagas/api/sagas/corrupt-state');
    expect(listed.status).toBe(200);
    expect(detail.status).toBe(200);
    expect(detail.body).toMatchObject({
      sagaId: 'corrupt-state',
      status: 'corrupt',
      error: expect.stringMatching(/unreadable.*the saga state is not valid/),
    });
    const ids = (listed.body as { sagas: { sagaId: string }[] }).sagas.map((view) => view.sagaId);
    expect(ids).toEqual(expect.arrayContaining(['corrupt-state', 'corrupt-shape', abandoned]));
    await demo.http().get('/health').expect(200);
    const third = await createOrder(demo, 'customer-saga-rows');
    await demo
      .http()
      .post(`/orders/${third}/fulfill`)
      .send(fulfillBody({ customerId: 'customer-saga-rows' }))
      .expect(200);
  }, 60_000);

  it("should answer an order's fulfilment status with corrupt and the reason once its saga row is corrupt", async () => {
    // Given an order whose saga finished
    const order = await createOrder(demo, 'customer-saga-rows');
    const started = await demo
      .http()
      .post(`/orders/${order}/fulfill?mode=async`)
      .send(fulfillBody({ customerId: 'customer-saga-rows' }))
      .expect(202);
    const sagaId = (started.body as { saga_id: string }).saga_id;
    await eventually(async () => {
      if ((await statusOf(sagaId)) === 'running') throw new Error('still running');
    }, 15_000);

    // When its row is edited by hand into an unfinished saga whose step in flight
    // does not exist (this made the state machine panic and Node abort)
    await sql.query(
      `UPDATE cello_saga_instances
         SET status = 'running', lease_owner = 'dead-instance',
             lease_expires_at = now() - interval '1 minute',
             state = jsonb_set(state, '{inFlight}', '{"type":"run_step","index":99,"attempt":1,"delayMs":0}')
       WHERE id = $1`,
      [sagaId],
    );

    // Then recovery quarantines it, and the status route says so with the reason
    await eventually(async () => expect(await statusOf(sagaId)).toBe('corrupt'), 15_000);
    const status = await demo.http().get(`/orders/${order}/fulfillment`).expect(200);
    expect(status.body).toMatchObject({
      saga_id: sagaId,
      status: 'corrupt',
      error: expect.stringMatching(/unreadable.*step #99, out of range/),
    });
    await demo.http().get('/health').expect(200);
  }, 60_000);
});
