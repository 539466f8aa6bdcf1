import { Client } from 'pg';
import type { FulfillmentRule, TrafficRecord } from './order-traffic';

/** The ledger actions each failure rule implies, in the order they happen. */
export const EXPECTED_LEDGER: Record<FulfillmentRule, string[]> = {
  ok: ['inventory.reserve', 'payment.charge', 'shipping.ship'],
  // Inventory refuses before reserving anything: nothing to undo.
  'out-of-stock': [],
  declined: ['inventory.reserve', 'inventory.release'],
  unshippable: ['inventory.reserve', 'payment.charge', 'payment.refund', 'inventory.release'],
};

const EXPECTED_STATUS: Record<FulfillmentRule, string> = {
  ok: 'completed',
  'out-of-stock': 'compensated',
  declined: 'compensated',
  unshippable: 'compensated',
};

/** What the checks found: problems (empty when every invariant holds) and counts. */
export interface InvariantReport {
  readonly problems: string[];
  readonly orders: number;
  readonly events: number;
  readonly sagas: number;
  readonly ledgerEntries: number;
  readonly sagasByStatus: Record<string, number>;
  /** Acknowledged writes missing from the log or the read model. */
  readonly lost: number;
  /** Effects recorded more than once for one order (or one idempotency key). */
  readonly duplicated: number;
}

interface SagaRow {
  id: string;
  status: string;
  context: {
    orderId: string;
    items: { sku: string }[];
    total: number;
    address: { country: string };
  };
}

interface EventRow {
  position: string;
  stream_id: string;
  version: string;
  type: string;
  data: Record<string, unknown>;
}

interface ReadRow {
  id: string;
  customer_id: string;
  status: string;
  total: string;
  tracking_number: string | null;
  cancel_reason: string | null;
  fulfillment_saga_id: string | null;
  version: number;
}

/** The rule a saga's context triggers, as the fake services decide it. */
export function ruleOf(context: SagaRow['context']): FulfillmentRule {
  if (context.items.some((item) => item.sku === 'OUT-OF-STOCK')) return 'out-of-stock';
  if (context.total > 10_000) return 'declined';
  if (context.address.country === 'XX') return 'unshippable';
  return 'ok';
}

async function until(
  what: string,
  check: () => Promise<boolean>,
  timeoutMs: number,
): Promise<string | undefined> {
  const end = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > end) return `timed out after ${timeoutMs} ms waiting until ${what}`;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return undefined;
}

/** Waits (bounded) until no saga is running and the orders projection has read the whole log. */
export async function waitForQuiet(client: Client, timeoutMs = 60_000): Promise<string[]> {
  const problems: string[] = [];
  const sagas = await until(
    'every saga is terminal',
    async () =>
      (
        await client.query<{ n: number }>(
          `SELECT count(*)::int AS n FROM cello_saga_instances
           WHERE status IN ('running', 'compensating')`,
        )
      ).rows[0].n === 0,
    timeoutMs,
  );
  if (sagas) problems.push(sagas);
  const projection = await until(
    'the orders projection caught up with the log',
    async () => {
      const { rows } = await client.query<{ behind: boolean }>(
        `SELECT coalesce((SELECT max(position) FROM cello_events), 0) >
                coalesce((SELECT checkpoint FROM cello_processors WHERE name = 'orders-read-model'), 0)
           AS behind`,
      );
      return !rows[0].behind;
    },
    timeoutMs,
  );
  if (projection) problems.push(projection);
  return problems;
}

/** The read model row each order stream's events imply (the projection rebuilt from the log). */
function rebuild(events: EventRow[]): Map<string, ReadRow> {
  const rows = new Map<string, ReadRow>();
  for (const event of events) {
    const data = event.data;
    const id = data.orderId as string;
    const version = Number(event.version);
    if (event.type === 'OrderCreated') {
      rows.set(id, {
        id,
        customer_id: data.customerId as string,
        status: 'created',
        total: Number(data.total).toFixed(2),
        tracking_number: null,
        cancel_reason: null,
        fulfillment_saga_id: null,
        version,
      });
      continue;
    }
    const row = rows.get(id);
    if (!row) continue; // reported below: an event before its order was created
    row.version = version;
    if (event.type === 'OrderShipped') {
      row.status = 'shipped';
      row.tracking_number = data.trackingNumber as string;
    } else if (event.type === 'OrderCancelled') {
      row.status = 'cancelled';
      row.cancel_reason = data.reason as string;
    } else if (event.type === 'OrderFulfillmentLinked') {
      row.fulfillment_saga_id = data.sagaId as string;
    }
  }
  return rows;
}

/**
 * Checks, after the instances went quiet: every saga terminal with the outcome
 * its failure rule implies; the ledger holds exactly the effects and
 * compensations each saga implies, each once; the read model equals a rebuild
 * from the event log; every acknowledged write is in the log and the read model.
 */
export async function checkInvariants(
  client: Client,
  record: TrafficRecord,
): Promise<InvariantReport> {
  const problems: string[] = [];
  const sagas = (
    await client.query<SagaRow>('SELECT id, status, context FROM cello_saga_instances')
  ).rows;
  const events = (
    await client.query<EventRow>(
      'SELECT position, stream_id, version, type, data FROM cello_events ORDER BY position',
    )
  ).rows;
  const ledger = (
    await client.query<{
      service: string;
      action: string;
      order_id: string;
      idempotency_key: string;
    }>('SELECT service, action, order_id, idempotency_key FROM demo.ledger ORDER BY id')
  ).rows;
  const readModel = (
    await client.query<ReadRow>(
      `SELECT id, customer_id, status, total::text AS total, tracking_number, cancel_reason,
              fulfillment_saga_id, version FROM demo_read.orders`,
    )
  ).rows;

  // Sagas: terminal, with the outcome of their rule.
  const sagasByStatus: Record<string, number> = {};
  const sagaOfOrder = new Map<string, SagaRow>();
  for (const saga of sagas) {
    sagasByStatus[saga.status] = (sagasByStatus[saga.status] ?? 0) + 1;
    const rule = ruleOf(saga.context);
    if (saga.status !== EXPECTED_STATUS[rule]) {
      problems.push(
        `saga ${saga.id} (${rule}) ended ${saga.status}, expected ${EXPECTED_STATUS[rule]}`,
      );
    }
    if (sagaOfOrder.has(saga.context.orderId)) {
      problems.push(`order ${saga.context.orderId} has two sagas`);
    }
    sagaOfOrder.set(saga.context.orderId, saga);
  }

  // Ledger: exactly the effects each saga's rule implies, each once.
  let duplicated = 0;
  const ledgerOfOrder = new Map<string, string[]>();
  const keys = new Set<string>();
  for (const entry of ledger) {
    const action = `${entry.service}.${entry.action}`;
    const key = `${action}:${entry.idempotency_key}`;
    if (keys.has(key)) duplicated++;
    keys.add(key);
    ledgerOfOrder.set(entry.order_id, [...(ledgerOfOrder.get(entry.order_id) ?? []), action]);
  }
  for (const [orderId, actions] of ledgerOfOrder) {
    if (new Set(actions).size !== actions.length) {
      duplicated++;
      problems.push(`order ${orderId}: an effect happened twice: ${actions.join(', ')}`);
    }
    if (!sagaOfOrder.has(orderId)) problems.push(`order ${orderId}: effects without a saga`);
  }
  for (const [orderId, saga] of sagaOfOrder) {
    const expected = [...EXPECTED_LEDGER[ruleOf(saga.context)]].sort();
    const actual = [...(ledgerOfOrder.get(orderId) ?? [])].sort();
    if (expected.join() !== actual.join()) {
      problems.push(
        `saga ${saga.id} (${ruleOf(saga.context)}, ${saga.status}): ledger [${actual.join(', ')}], ` +
          `expected [${expected.join(', ')}]`,
      );
    }
  }

  // Log: stream versions 1..n without gap; the read model equals its rebuild.
  const versions = new Map<string, number>();
  for (const event of events) {
    const next = (versions.get(event.stream_id) ?? 0) + 1;
    if (Number(event.version) !== next) {
      problems.push(`stream ${event.stream_id}: version ${event.version} where ${next} was due`);
    }
    versions.set(event.stream_id, Number(event.version));
  }
  const rebuilt = rebuild(events);
  const actualRows = new Map(readModel.map((row) => [row.id, row]));
  for (const [id, expected] of rebuilt) {
    const actual = actualRows.get(id);
    const same =
      actual &&
      (Object.keys(expected) as (keyof ReadRow)[]).every(
        (field) => String(actual[field]) === String(expected[field]),
      );
    if (!same) {
      problems.push(
        `read model of ${id} is ${JSON.stringify(actual ?? null)}, the log says ${JSON.stringify(expected)}`,
      );
    }
  }
  for (const id of actualRows.keys()) {
    if (!rebuilt.has(id)) problems.push(`read model row ${id} has no OrderCreated in the log`);
  }

  // Acknowledged writes: none lost.
  let lost = 0;
  const cancelled = new Set(
    events.filter((e) => e.type === 'OrderCancelled').map((e) => e.data.orderId as string),
  );
  for (const orderId of record.acknowledgedOrders) {
    if (!rebuilt.has(orderId) || !actualRows.has(orderId)) {
      lost++;
      problems.push(`acknowledged order ${orderId} is missing from the log or the read model`);
    }
  }
  for (const [orderId, sagaId] of record.acknowledgedSagas) {
    if (
      sagaOfOrder.get(orderId)?.id !== sagaId ||
      rebuilt.get(orderId)?.fulfillment_saga_id !== sagaId
    ) {
      lost++;
      problems.push(`acknowledged fulfilment ${sagaId} of ${orderId} is missing or unlinked`);
    }
  }
  for (const orderId of record.acknowledgedCancels) {
    if (!cancelled.has(orderId)) {
      lost++;
      problems.push(`acknowledged cancellation of ${orderId} is missing from the log`);
    }
  }
  problems.push(...record.unexpected.map((answer) => `unexpected answer: ${answer}`));

  return {
    problems,
    orders: rebuilt.size,
    events: events.length,
    sagas: sagas.length,
    ledgerEntries: ledger.length,
    sagasByStatus,
    lost,
    duplicated,
  };
}

/** Connects a client to `url` (close it with `end()`). */
export async function connect(url: string): Promise<Client> {
  const client = new Client({ connectionString: url });
  await client.connect();
  return client;
}
