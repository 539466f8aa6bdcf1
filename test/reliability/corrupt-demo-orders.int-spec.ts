import type { Client } from 'pg';
import { bootDemo, createOrder, type RunningDemo } from '../e2e/demo-support';
import { connectToTestDatabase, usePostgresDatabase } from '../support/postgres-database';

describe('the demo when an order stream holds a corrupt row (PostgreSQL)', () => {
  const db = usePostgresDatabase();
  let demo: RunningDemo;
  let sql: Client;

  beforeAll(async () => {
    demo = await bootDemo({ databaseUrl: db.url });
    sql = await connectToTestDatabase(db.url);
  });

  afterAll(async () => {
    await sql.end();
    await demo.close();
  });

  /** Rewrites the first stored event of the order's stream; returns its stream and position. */
  async function corruptFirstEvent(
    orderId: string,
    change: string,
  ): Promise<{ streamId: string; position: number }> {
    const { rows } = await sql.query<{ stream_id: string; position: string }>(
      `UPDATE cello_events SET ${change}
       WHERE version = 1 AND stream_id IN (SELECT stream_id FROM cello_events WHERE stream_id LIKE $1)
       RETURNING stream_id, position`,
      [`%${orderId}`],
    );
    expect(rows).toHaveLength(1);
    return { streamId: rows[0].stream_id, position: Number(rows[0].position) };
  }

  it('should ignore an unreadable snapshot and rebuild the order from its events', async () => {
    // Given an order with a snapshot whose bytes are then garbled
    const orderId = await createOrder(demo, 'customer-corrupt');
    await demo.http().post(`/orders/${orderId}/snapshot`).expect(200);
    const { rowCount } = await sql.query(
      `UPDATE cello_snapshots SET state = '\\xdeadbeef'::bytea WHERE stream_id LIKE $1`,
      [`%${orderId}`],
    );
    expect(rowCount).toBe(1);

    // When
    const shipped = await demo
      .http()
      .post(`/orders/${orderId}/ship`)
      .send({ tracking_number: 'TRK-SNAP' });

    // Then the events are the truth: the write goes through on the rebuilt state
    expect(shipped.status).toBe(200);
    expect(shipped.body).toMatchObject({ status: 'shipped', tracking_number: 'TRK-SNAP' });
    const cancel = await demo.http().post(`/orders/${orderId}/cancel`).send({ reason: 'late' });
    expect(cancel.status).toBe(409);
  });

  it.each([
    ['an unknown event type', `type = 'OrderTeleported'`, 'unknown-event-type'],
    ['a payload that is not an object', `data = '[1, 2]'::jsonb`, 'event-serialization-failed'],
    ['a newer schema version', `schema_version = 99`, 'upcasting-failed'],
  ])(
    'should answer writes to an order with %s with a coded error naming stream and position, and keep serving other orders',
    async (_label, change, code) => {
      // Given two orders, the first one's creation row corrupted
      const broken = await createOrder(demo, 'customer-corrupt');
      const healthy = await createOrder(demo, 'customer-corrupt');
      const { streamId, position } = await corruptFirstEvent(broken, change);

      // When
      const ship = await demo
        .http()
        .post(`/orders/${broken}/ship`)
        .send({ tracking_number: 'TRK-1' });
      const cancel = await demo
        .http()
        .post(`/orders/${broken}/cancel`)
        .send({ reason: 'changed my mind' });

      // Then: a clear, coded answer naming the stream and position, not a crash
      for (const response of [ship, cancel]) {
        expect(response.status).toBe(500);
        const body = response.body as { code: string; message: string };
        expect(body.code).toBe(code);
        expect(body.message).toContain(streamId);
        expect(body.message).toContain(`position ${position}`);
      }
      // The read model still answers for it, and other orders keep working
      await demo.http().get(`/orders/${broken}`).expect(200);
      const shipped = await demo
        .http()
        .post(`/orders/${healthy}/ship`)
        .send({ tracking_number: 'TRK-2' })
        .expect(200);
      expect((shipped.body as { status: string }).status).toBe('shipped');
      await demo.http().get('/health').expect(200);
    },
  );
});
