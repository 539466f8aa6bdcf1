// The poison-input phase of `npm run soak` (scripts/soak.js): good and
// poisoned requests mixed, sent concurrently to the demo over PostgreSQL for
// this file's share of CELLO_SOAK_MINUTES. Prints one `[reliability] poison
// input: ...` line of counts.
import { bootDemo, fulfillBody, type RunningDemo } from '../e2e/demo-support';
import { waitUntil } from '../support/eventually';
import { createTestDatabase, type TestDatabase } from '../support/postgres-database';

/** This file's share of the soak's minutes; at least 30 s. */
const MINUTES = Number(process.env.CELLO_SOAK_MINUTES ?? 3);
const BUDGET_MS = Math.max(30_000, MINUTES * 60_000 * 0.2);
/** Requests in flight at once. */
const CONCURRENCY = 16;
/** Seed of the mix, printed so a failing run can be replayed (CELLO_POISON_SEED). */
const SEED = Number(process.env.CELLO_POISON_SEED ?? Date.now() % 2 ** 31);

/** A small seeded generator (mulberry32): the same seed sends the same mix. */
function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}

/** One request of the mix: what to send and whether it is poisoned. */
interface Shot {
  readonly kind: string;
  readonly poisoned: boolean;
  send(demo: RunningDemo): Promise<{ status: number; body: unknown }>;
}

/** Strings no database column can hold. */
const POISONS = ['lone \ud800x', 'low \udc00', 'nul\u0000', 'end \udbff'];

describe('soak: the demo under a mix of good and poisoned requests (PostgreSQL)', () => {
  let db: TestDatabase;
  let demo: RunningDemo;

  beforeAll(async () => {
    db = await createTestDatabase('soak-poison');
    demo = await bootDemo({ databaseUrl: db.url });
  });

  afterAll(async () => {
    await demo?.close();
    await db?.drop();
  });

  it('should answer 400 to every poisoned request, store every good one, and never 5xx', async () => {
    const random = seeded(SEED);
    const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)];
    const poison = () => pick(POISONS);
    /** Orders created by good requests, with what they must read back as. */
    const stored = new Map<string, { customerId: string; total: number }>();
    /** Orders whose good fulfilment was accepted (202): their saga must complete. */
    const fulfilled = new Set<string>();
    /** Orders that exist and may be fulfilled, shipped or cancelled next. */
    const open: string[] = [];
    const counts = { requests: 0, good: 0, poisoned: 0, rejected: 0, serverErrors: 0 };
    const problems: string[] = [];

    const goodOrder = (): Shot => {
      const customerId = `soak-${Math.floor(random() * 50)}`;
      const items = [
        {
          sku: `SKU-${Math.floor(random() * 1000)}`,
          quantity: 1 + Math.floor(random() * 5),
          price: 2.5,
        },
      ];
      return {
        kind: 'create',
        poisoned: false,
        send: async (app) => {
          const response = await app
            .http()
            .post('/orders')
            .send({ customer_id: customerId, items });
          if (response.status === 201) {
            const orderId = (response.body as { order_id: string }).order_id;
            const total = items.reduce((sum, item) => sum + item.quantity * item.price, 0);
            stored.set(orderId, { customerId, total });
            open.push(orderId);
          }
          return response;
        },
      };
    };
    const goodFulfil = (orderId: string): Shot => ({
      kind: 'fulfil',
      poisoned: false,
      send: async (app) => {
        const response = await app
          .http()
          .post(`/orders/${orderId}/fulfill`)
          .query({ mode: 'async' })
          .send(fulfillBody());
        if (response.status === 202) fulfilled.add(orderId);
        return response;
      },
    });
    const poisonedShots: ((orderId: string) => Shot)[] = [
      () => ({
        kind: 'create: poisoned customer_id',
        poisoned: true,
        send: (app) =>
          app
            .http()
            .post('/orders')
            .send({ customer_id: poison(), items: [{ sku: 'A', quantity: 1, price: 1 }] }),
      }),
      () => ({
        kind: 'create: poisoned sku',
        poisoned: true,
        send: (app) =>
          app
            .http()
            .post('/orders')
            .send({ customer_id: 'c', items: [{ sku: poison(), quantity: 1, price: 1 }] }),
      }),
      () => ({
        kind: 'create: total over numeric(14,2)',
        poisoned: true,
        send: (app) =>
          app
            .http()
            .post('/orders')
            .send({ customer_id: 'c', items: [{ sku: 'A', quantity: 1e6, price: 1e9 }] }),
      }),
      () => ({
        kind: 'create: number too large for a double',
        poisoned: true,
        send: (app) =>
          app
            .http()
            .post('/orders')
            .set('Content-Type', 'application/json')
            .send('{"customer_id":"c","items":[{"sku":"A","quantity":1e400,"price":1}]}'),
      }),
      () => ({
        kind: 'create: malformed JSON',
        poisoned: true,
        send: (app) =>
          app
            .http()
            .post('/orders')
            .set('Content-Type', 'application/json')
            .send(
              pick(['{"customer_id": "c", "items": [', '{customer_id: c}', '{"a":1}}', '\u0000']),
            ),
      }),
      (orderId) => ({
        kind: 'fulfil: poisoned field',
        poisoned: true,
        send: (app) => {
          const body = fulfillBody();
          const field = pick(['customer_id', 'sku', 'city'] as const);
          if (field === 'customer_id') body.customer_id = poison();
          if (field === 'sku') body.items[0].sku = poison();
          if (field === 'city') body.address.city = poison();
          return app.http().post(`/orders/${orderId}/fulfill`).query({ mode: 'async' }).send(body);
        },
      }),
      (orderId) => ({
        kind: 'fulfil: total over numeric(14,2)',
        poisoned: true,
        send: (app) =>
          app
            .http()
            .post(`/orders/${orderId}/fulfill`)
            .query({ mode: 'async' })
            .send({ ...fulfillBody(), total: 1e13 }),
      }),
      (orderId) => ({
        kind: 'ship: poisoned tracking number',
        poisoned: true,
        send: (app) =>
          app.http().post(`/orders/${orderId}/ship`).send({ tracking_number: poison() }),
      }),
      (orderId) => ({
        kind: 'cancel: poisoned reason',
        poisoned: true,
        send: (app) => app.http().post(`/orders/${orderId}/cancel`).send({ reason: poison() }),
      }),
      () => ({
        kind: 'list: poisoned query',
        poisoned: true,
        // A lone surrogate has no UTF-8 form, so no URL carries one: NUL is a query's poison.
        send: (app) =>
          app
            .http()
            .get('/orders')
            .query({ customer_id: `nul\u0000${random()}` }),
      }),
    ];

    /** The next request: a third poisoned, the rest good creates and fulfilments. */
    const next = (): Shot => {
      if (open.length === 0) return goodOrder();
      const roll = random();
      if (roll < 0.34) return pick(poisonedShots)(pick(open));
      if (roll < 0.67) return goodOrder();
      // Each order is fulfilled at most once, so its saga's outcome is its own.
      const candidate = open.splice(Math.floor(random() * open.length), 1)[0];
      return goodFulfil(candidate);
    };

    // When: CONCURRENCY clients send the mix until the budget is spent
    const deadline = Date.now() + BUDGET_MS;
    const client = async () => {
      while (Date.now() < deadline) {
        const shot = next();
        const response = await shot.send(demo);
        counts.requests += 1;
        counts[shot.poisoned ? 'poisoned' : 'good'] += 1;
        if (response.status >= 500) counts.serverErrors += 1;
        if (shot.poisoned && response.status === 400) counts.rejected += 1;
        const expected = shot.poisoned ? [400] : shot.kind === 'create' ? [201] : [202];
        if (!expected.includes(response.status)) {
          problems.push(
            `${shot.kind} answered ${response.status}: ${JSON.stringify(response.body).slice(0, 300)}`,
          );
        }
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, client));

    // Then every good order is stored and readable as sent
    let lost = 0;
    for (const [orderId, expected] of stored) {
      const read = await demo.http().get(`/orders/${orderId}`);
      const body = read.body as { customer_id?: string; total?: number };
      if (
        read.status !== 200 ||
        body.customer_id !== expected.customerId ||
        body.total !== expected.total
      ) {
        lost += 1;
        problems.push(
          `order ${orderId} reads back ${read.status} ${JSON.stringify(body).slice(0, 200)}`,
        );
      }
    }
    // And every accepted fulfilment's saga completes
    const sagas = [...fulfilled];
    let completed = 0;
    await waitUntil(
      `the ${sagas.length} accepted fulfilments completed`,
      async () => {
        const statuses = await Promise.all(
          sagas.map(async (orderId) => {
            const response = await demo.http().get(`/orders/${orderId}/fulfillment`);
            return (response.body as { status?: string }).status;
          }),
        );
        completed = statuses.filter((status) => status === 'completed').length;
        return completed === sagas.length;
      },
      120_000,
    ).catch((error: unknown) => problems.push(String(error)));

    process.stdout.write(
      `[reliability] poison input: seed=${SEED} requests=${counts.requests} good=${counts.good} ` +
        `tried=${counts.poisoned} rejected=${counts.rejected} server_errors=${counts.serverErrors} ` +
        `orders=${stored.size} sagas=${sagas.length} sagas_completed=${completed} lost=${lost} ` +
        `problems=${problems.length}\n`,
    );
    expect(
      [...new Set(problems.map((p) => p.replace(/[0-9a-f-]{36}/g, '<id>')))].slice(0, 20),
    ).toEqual([]);
    expect(counts.serverErrors).toBe(0);
    expect(counts.rejected).toBe(counts.poisoned);
    expect(counts.poisoned).toBeGreaterThan(0);
    expect(stored.size).toBeGreaterThan(0);
  }, 3_600_000);
});
