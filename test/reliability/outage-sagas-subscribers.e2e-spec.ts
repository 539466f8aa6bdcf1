import { randomUUID } from 'node:crypto';
import { isCelloError } from '@cello/core';
import { EventStore, EventStoreUnavailableError, SubscriptionManager } from '@cello/event-sourcing';
import { OrderCreated } from '../../apps/demo/src/orders/events/order-created.event';
import {
  bootDemo,
  FAST_SAGAS,
  fulfillBody,
  orderBody,
  type RunningDemo,
} from '../e2e/demo-support';
import { startPrivatePostgres, type PrivatePostgres } from '../support/private-postgres';
import { eventually } from '../support/eventually';

/** Stop/start cycles of PostgreSQL under load. */
const OUTAGE_CYCLES = Number(process.env.CELLO_OUTAGE_CYCLES ?? 1);

/** Terminal states of a fulfilment saga. */
const TERMINAL = ['completed', 'compensated', 'compensation_failed', 'timed_out'];

/** What the load saw. */
interface LoadRecord {
  /** Orders whose creation was acknowledged (201). */
  readonly orders: string[];
  /** Orders whose fulfilment saga was accepted (202). */
  readonly sagas: string[];
  /** Status codes of every failed request. */
  readonly failures: number[];
  /** Orders created by appends straight to the EventStore: acknowledged, and the errors of refused ones. */
  readonly appended: string[];
  readonly appendErrors: unknown[];
}

/**
 * Clients creating orders and starting fulfilment sagas (a third of them
 * refused by the shipping rule, so compensations run too), plus writers
 * appending straight to the EventStore, until `stop()` resolves all of them.
 */
function startLoad(demo: RunningDemo, record: LoadRecord): { stop(): Promise<void> } {
  let running = true;
  let next = 0;
  const client = async (): Promise<void> => {
    while (running) {
      const n = next++;
      const created = await demo
        .http()
        .post('/orders')
        .send(orderBody(`outage-${n}`));
      if (created.status !== 201) {
        record.failures.push(created.status);
        await new Promise((resolve) => setTimeout(resolve, 50));
        continue;
      }
      const orderId = (created.body as { order_id: string }).order_id;
      record.orders.push(orderId);
      const started = await demo
        .http()
        .post(`/orders/${orderId}/fulfill?mode=async`)
        .send(fulfillBody({ customerId: `outage-${n}`, country: n % 3 === 0 ? 'XX' : 'FR' }));
      if (started.status === 202) record.sagas.push(orderId);
      else record.failures.push(started.status);
    }
  };
  const store = demo.app.get(EventStore);
  const writer = async (): Promise<void> => {
    while (running) {
      const orderId = randomUUID();
      const items = [{ sku: 'DIRECT-1', quantity: 1, price: 3 }];
      try {
        await store.append(orderId, [new OrderCreated(orderId, 'outage-direct', items, 3)], {
          expectedVersion: 0,
        });
        record.appended.push(orderId);
      } catch (error) {
        record.appendErrors.push(error);
      }
      // Paced: enough to be in flight when the database stops, few enough to check one by one.
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  };
  const workers = [...Array.from({ length: 4 }, client), writer()];
  return {
    async stop() {
      running = false;
      await Promise.all(workers);
    },
  };
}

describe('the demo when its PostgreSQL goes away under load with sagas and a subscriber', () => {
  let postgres: PrivatePostgres;
  let demo: RunningDemo;

  beforeAll(async () => {
    postgres = await startPrivatePostgres();
    demo = await bootDemo({
      databaseUrl: postgres.url,
      stepDelayMs: 150,
      saga: { ...FAST_SAGAS, leaseTtlSeconds: 2, recoveryIntervalSeconds: 0.5 },
    });
  });

  afterAll(async () => {
    await demo?.close();
    await postgres?.destroy();
  });

  it(
    'should fail in-flight work with typed errors while down, stay up, and resume sagas and the read model when back, losing nothing acknowledged',
    async () => {
      // Given steady load: orders, fulfilment sagas, direct appends
      const record: LoadRecord = {
        orders: [],
        sagas: [],
        failures: [],
        appended: [],
        appendErrors: [],
      };
      let load = startLoad(demo, record);
      await eventually(async () => {
        if (record.sagas.length < 8) throw new Error(`only ${record.sagas.length} sagas started`);
      }, 20_000);

      // Outages survived one after another (CELLO_OUTAGE_CYCLES raises it for soak runs)
      let inFlightAtStops = 0;
      for (let cycle = 0; cycle < OUTAGE_CYCLES; cycle++) {
        // When PostgreSQL stops under load, with sagas mid-way
        const inFlight: string[] = [];
        for (const orderId of record.sagas.slice(-20)) {
          const response = await demo.http().get(`/orders/${orderId}/fulfillment`);
          if ((response.body as { status?: string }).status === 'running') inFlight.push(orderId);
        }
        await postgres.stop();
        const failuresBefore = record.failures.length + record.appendErrors.length;
        await eventually(async () => {
          const now = record.failures.length + record.appendErrors.length;
          if (now < failuresBefore + 6) throw new Error('no failures yet');
        }, 15_000);
        // Every request in flight settles while the database is still down (nothing hangs)
        await load.stop();
        const down = await demo.http().get('/health');
        const root = await demo.http().get('/');

        // Then: typed failures, and the app keeps serving
        expect(record.appendErrors.length).toBeGreaterThan(0);
        const untyped = record.appendErrors.filter(
          (error) => !isCelloError(error, EventStoreUnavailableError.code),
        );
        expect(untyped).toEqual([]);
        expect(new Set(record.failures)).toEqual(new Set([503]));
        expect(down.status).toBe(503);
        expect(root.status).toBe(200);

        // When PostgreSQL is back
        await postgres.start();
        const acknowledgedBefore = record.orders.length;
        load = startLoad(demo, record);
        await eventually(async () => {
          if (record.orders.length < acknowledgedBefore + 10) throw new Error('not recovered');
        }, 10_000);
        inFlightAtStops += inFlight.length;
      }
      await load.stop();
      expect(inFlightAtStops).toBeGreaterThan(0);

      // Then every accepted saga reaches a terminal state, with each effect done once
      for (const orderId of record.sagas) {
        const status = await eventually(async () => {
          const response = await demo.http().get(`/orders/${orderId}/fulfillment`).expect(200);
          const body = response.body as { status: string };
          if (!TERMINAL.includes(body.status)) throw new Error(`${orderId} is ${body.status}`);
          return body.status;
        }, 30_000);
        expect(['completed', 'compensated']).toContain(status);
        const ledger = await demo
          .http()
          .get('/demo/ledger')
          .query({ order_id: orderId })
          .expect(200);
        const actions = (
          ledger.body as { entries: { service: string; action: string }[] }
        ).entries.map((e) => `${e.service}:${e.action}`);
        expect(new Set(actions).size).toBe(actions.length);
      }
      // ... the read model catches up to the log, holding every acknowledged order
      const log = await demo.app.get(EventStore).readAll({ fromPosition: 0, limit: 100_000 });
      const head = log.at(-1)?.position ?? 0;
      await demo.app.get(SubscriptionManager).waitForPosition(head, { timeoutMs: 30_000 });
      for (const orderId of record.orders) {
        await demo.http().get(`/orders/${orderId}`).expect(200);
      }
      // ... and every acknowledged direct append is stored once and projected
      const storedPerStream = new Map<string, number>();
      for (const recorded of log) {
        storedPerStream.set(recorded.streamId, (storedPerStream.get(recorded.streamId) ?? 0) + 1);
      }
      expect(record.appended.filter((orderId) => storedPerStream.get(orderId) !== 1)).toEqual([]);
      for (const orderId of record.appended) {
        await demo.http().get(`/orders/${orderId}`).expect(200);
      }
      await demo.http().get('/health').expect(200);
      if (process.env.CELLO_RELIABILITY_REPORT) {
        process.stdout.write(
          `[reliability] outages survived=${OUTAGE_CYCLES} orders=${record.orders.length} ` +
            `sagas=${record.sagas.length} in-flight-at-stop=${inFlightAtStops} ` +
            `direct-appends=${record.appended.length} refused=${record.appendErrors.length} lost=0\n`,
        );
      }
    },
    120_000 * OUTAGE_CYCLES,
  );
});
