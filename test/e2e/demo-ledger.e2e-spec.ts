import { waitUntil } from '../support/eventually';
import { usePostgresDatabase } from '../support/postgres-database';
import { createOrder, fulfillBody, useDemo } from './demo-support';

interface LedgerPage {
  entries: { sequence: number; order_id: string; action: string }[];
  next_after: number | null;
}

describe('GET /demo/ledger (PostgreSQL)', () => {
  const db = usePostgresDatabase();
  const demo = useDemo(() => ({ databaseUrl: db.url }));

  /** Every page from the start, following `next_after`. */
  async function allPages(query: Record<string, string | number>): Promise<LedgerPage[]> {
    const pages: LedgerPage[] = [];
    let after: number | null = null;
    do {
      const response = await demo
        .http()
        .get('/demo/ledger')
        .query(after === null ? query : { ...query, after })
        .expect(200);
      const page = response.body as LedgerPage;
      pages.push(page);
      after = page.next_after;
    } while (after !== null && pages.length < 100);
    return pages;
  }

  describe('when the ledger holds more entries than a page', () => {
    it('should answer pages of 100 by default, then any limit up to 1000, each entry once', async () => {
      // Given: 35 fulfilled orders, 3 entries each
      const orders: string[] = [];
      for (let i = 0; i < 35; i++) orders.push(await createOrder(demo));
      await Promise.all(
        orders.map((orderId) =>
          demo
            .http()
            .post(`/orders/${orderId}/fulfill`)
            .query({ mode: 'async' })
            .send(fulfillBody())
            .expect(202),
        ),
      );
      await waitUntil('105 ledger entries', async () => {
        const response = await demo.http().get('/demo/ledger').query({ limit: 1000 }).expect(200);
        return (response.body as LedgerPage).entries.length === 105;
      });

      // When
      const byDefault = await allPages({});
      const bySeven = await allPages({ limit: 7 });
      const ofOne = await allPages({ order_id: orders[0], limit: 2 });

      // Then
      expect(byDefault.map((page) => page.entries.length)).toEqual([100, 5]);
      expect(byDefault[0].next_after).toBe(byDefault[0].entries[99].sequence);
      expect(byDefault[1].next_after).toBeNull();
      expect(bySeven).toHaveLength(15);
      const sequences = bySeven.flatMap((page) => page.entries.map((entry) => entry.sequence));
      expect(sequences).toEqual(byDefault.flatMap((p) => p.entries.map((e) => e.sequence)));
      expect(new Set(sequences).size).toBe(105);
      expect(ofOne.flatMap((page) => page.entries.map((entry) => entry.action))).toEqual([
        'reserve',
        'charge',
        'ship',
      ]);
      expect(ofOne.flatMap((p) => p.entries).every((e) => e.order_id === orders[0])).toBe(true);
    });
  });

  describe('when the paging parameters are out of range', () => {
    it.each([
      [{ limit: 1001 }, 'limit must not be greater than 1000'],
      [{ limit: 0 }, 'limit must not be less than 1'],
      [{ limit: 'ten' }, 'limit must be an integer number'],
      [{ after: -1 }, 'after must not be less than 0'],
      [{ after: '1.5' }, 'after must be an integer number'],
    ])('should answer 400 for %j naming the parameter', async (query, problem) => {
      const response = await demo.http().get('/demo/ledger').query(query).expect(400);
      expect((response.body as { message: string[] }).message).toContain(problem);
    });
  });
});
