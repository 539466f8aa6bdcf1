import { DEMO_POOL_SIZE } from '../../apps/demo/src/database/demo-database';
import { connectToTestDatabase, usePostgresDatabase } from '../support/postgres-database';
import { createOrder, fulfillBody, settledFulfillment, useDemo } from './demo-support';

describe('the demo on PostgreSQL', () => {
  const db = usePostgresDatabase();
  const demo = useDemo(() => ({ databaseUrl: db.url }));

  describe('when orders are created and fulfilled (events, sagas and the read model at work)', () => {
    it('should use one connection pool for all three', async () => {
      // Given: several orders fulfilled at once, so every user of the database is busy
      const orders = await Promise.all([1, 2, 3, 4].map((n) => createOrder(demo, `c-${n}`)));
      await Promise.all(
        orders.map((id) => demo.http().post(`/orders/${id}/fulfill`).send(fulfillBody())),
      );
      for (const id of orders) {
        expect((await settledFulfillment(demo, id)).status).toBe('completed');
      }
      // When
      const client = await connectToTestDatabase(db.url);
      const { rows } = await client.query<{ application_name: string; connections: number }>(
        `SELECT application_name, count(*)::int AS connections FROM pg_stat_activity
         WHERE datname = current_database() AND pid <> pg_backend_pid()
         GROUP BY application_name`,
      );
      await client.end();
      // Then: every connection is the demo pool's, and no more than it holds
      expect(rows.map((row) => row.application_name)).toEqual(['cello-demo']);
      expect(rows[0].connections).toBeLessThanOrEqual(DEMO_POOL_SIZE);
    });
  });
});
