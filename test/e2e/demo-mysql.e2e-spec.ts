import { createConnection } from 'mysql2/promise';
import { useMysqlDatabase } from '../support/mysql-database';
import { bootDemo, createOrder, fulfillBody, ledgerOf } from './demo-support';

/** Rows of `sql` read straight from the test's MariaDB database. */
async function rowsOf<T>(url: string, sql: string): Promise<T[]> {
  const connection = await createConnection({ uri: url });
  try {
    const [rows] = await connection.query(sql);
    return rows as T[];
  } finally {
    await connection.end();
  }
}

describe('the demo on MariaDB (DATABASE_URL=mysql://...)', () => {
  const db = useMysqlDatabase();

  it('should keep orders, read model and ledger across a restart, in MariaDB tables', async () => {
    // Given: orders written by a first process
    const first = await bootDemo({ databaseUrl: db.url });
    const shipped = await createOrder(first, 'customer-m');
    const fulfilled = await createOrder(first, 'customer-m');
    await first
      .http()
      .post(`/orders/${shipped}/ship`)
      .send({ tracking_number: 'TRK-M' })
      .expect(200);
    const saga = await first
      .http()
      .post(`/orders/${fulfilled}/fulfill`)
      .send(fulfillBody({ customerId: 'customer-m' }))
      .expect(200);
    const ledgerBefore = await ledgerOf(first, fulfilled);
    await first.close();

    // When: a second process starts on the same database
    const second = await bootDemo({ databaseUrl: db.url });
    try {
      // Then
      const order = await second.http().get(`/orders/${shipped}`).expect(200);
      expect(order.body).toMatchObject({
        id: shipped,
        status: 'shipped',
        customer_id: 'customer-m',
      });
      const list = await second
        .http()
        .get('/orders')
        .query({ customer_id: 'customer-m' })
        .expect(200);
      expect(list.body.orders ?? list.body).toHaveLength(2);
      await second
        .http()
        .post(`/orders/${shipped}/cancel`)
        .send({ reason: 'too late' })
        .expect(409);
      const fulfilment = await second.http().get(`/orders/${fulfilled}/fulfillment`).expect(200);
      expect(fulfilment.body).toMatchObject({ saga_id: saga.body.saga_id, status: 'completed' });
      // And the ledger survived: the same entries, not a fresh empty one
      expect(ledgerBefore.map(([service, action]) => `${service}/${action}`)).toEqual([
        'inventory/reserve',
        'payment/charge',
        'shipping/ship',
      ]);
      expect(await ledgerOf(second, fulfilled)).toEqual(ledgerBefore);
      // And both live in MariaDB tables, not in the process
      const orders = await rowsOf<{ id: string; status: string }>(
        db.url,
        'SELECT id, status FROM demo_read_orders ORDER BY id',
      );
      expect(orders).toEqual(
        expect.arrayContaining([
          { id: shipped, status: 'shipped' },
          { id: fulfilled, status: 'created' },
        ]),
      );
      const ledger = await rowsOf<{ n: number }>(db.url, 'SELECT COUNT(*) AS n FROM demo_ledger');
      expect(Number(ledger[0].n)).toBe(3);
    } finally {
      await second.close();
    }
  });
});
