/** Which failure rule of the fake services a fulfilment hits (none for `ok`). */
export type FulfillmentRule = 'ok' | 'out-of-stock' | 'declined' | 'unshippable';

const RULES: FulfillmentRule[] = ['ok', 'ok', 'out-of-stock', 'declined', 'unshippable'];

/** What the traffic was told by the demo: only acknowledged writes are promised. */
export interface TrafficRecord {
  /** Orders whose `POST /orders` answered 201. */
  readonly acknowledgedOrders: Set<string>;
  /** Orders whose `POST /orders/:id/fulfill?mode=async` answered 202, with their saga id. */
  readonly acknowledgedSagas: Map<string, string>;
  /** Acknowledged orders per instance (base URL). */
  readonly ordersByInstance: Map<string, number>;
  /** Orders cancelled with a 200 answer. */
  readonly acknowledgedCancels: Set<string>;
  /** 409 answers to shipping a cancelled order. */
  conflicts: number;
  /** Requests that failed without an answer (the instance was killed or not up). */
  unanswered: number;
  /** Requests sent. */
  requests: number;
  /** 503 answers (the database was down), counted instead of flagged when `outagesExpected`. */
  unavailable: number;
  /** Set while the database may be down: 503 answers are then expected. */
  outagesExpected: boolean;
  /** Answers that were neither expected success nor expected refusal (5xx etc.). */
  readonly unexpected: string[];
}

/** An empty record. */
export function newTrafficRecord(): TrafficRecord {
  return {
    acknowledgedOrders: new Set(),
    acknowledgedSagas: new Map(),
    ordersByInstance: new Map(),
    acknowledgedCancels: new Set(),
    conflicts: 0,
    unanswered: 0,
    requests: 0,
    unavailable: 0,
    outagesExpected: false,
    unexpected: [],
  };
}

/** The `POST /orders/:id/fulfill` body that triggers `rule`. */
export function fulfillmentBody(rule: FulfillmentRule) {
  return {
    customer_id: 'customer-1',
    items: [
      { sku: rule === 'out-of-stock' ? 'OUT-OF-STOCK' : 'BOOK-42', quantity: 2, price: 12.5 },
      { sku: 'PEN-7', quantity: 3, price: 1.2 },
    ],
    total: rule === 'declined' ? 20_000 : 28.6,
    address: {
      name: 'Ada',
      line1: '1 Main St',
      city: 'Paris',
      country: rule === 'unshippable' ? 'XX' : 'FR',
    },
  };
}

async function post(
  record: TrafficRecord,
  url: string,
  body: unknown,
): Promise<{ status: number; body: Record<string, unknown> } | undefined> {
  record.requests++;
  try {
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(15_000),
    });
    const text = await response.text();
    let parsed: Record<string, unknown> = {};
    try {
      parsed = JSON.parse(text) as Record<string, unknown>;
    } catch {
      parsed = { text };
    }
    if (response.status === 503 && record.outagesExpected) {
      record.unavailable++;
      return undefined; // the database is down: refused, nothing promised
    }
    return { status: response.status, body: parsed };
  } catch {
    return undefined; // killed mid-request, refused, or timed out: nothing was promised
  }
}

/**
 * One client's loop until `stop()` is true: create an order; then fulfil it
 * asynchronously with a random failure rule, or (one in six) cancel it and try
 * to ship it (a 409). Each acknowledged answer is recorded.
 */
async function client(
  bases: () => string[],
  record: TrafficRecord,
  stop: () => boolean,
  random: () => number,
): Promise<void> {
  while (!stop()) {
    const live = bases();
    if (live.length === 0) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      continue;
    }
    const base = live[Math.floor(random() * live.length)];
    const created = await post(record, `${base}/orders`, {
      customer_id: `customer-${Math.floor(random() * 5)}`,
      items: [{ sku: 'BOOK-42', quantity: 1 + Math.floor(random() * 3), price: 12.5 }],
    });
    if (!created) {
      record.unanswered++;
      await new Promise((resolve) => setTimeout(resolve, 20));
      continue;
    }
    if (created.status !== 201) {
      record.unexpected.push(`POST /orders -> ${created.status} ${JSON.stringify(created.body)}`);
      continue;
    }
    const orderId = created.body.order_id as string;
    record.acknowledgedOrders.add(orderId);
    record.ordersByInstance.set(base, (record.ordersByInstance.get(base) ?? 0) + 1);
    if (random() < 1 / 6) {
      const cancelled = await post(record, `${base}/orders/${orderId}/cancel`, {
        reason: 'changed mind',
      });
      if (!cancelled) record.unanswered++;
      else if (cancelled.status === 200) record.acknowledgedCancels.add(orderId);
      else record.unexpected.push(`cancel -> ${cancelled.status}`);
      const shipped = await post(record, `${base}/orders/${orderId}/ship`, {
        tracking_number: 'T-1',
      });
      if (!shipped) record.unanswered++;
      else if (shipped.status === 409) record.conflicts++;
      else if (cancelled?.status === 200)
        record.unexpected.push(`ship cancelled -> ${shipped.status}`);
      continue;
    }
    const rule = RULES[Math.floor(random() * RULES.length)];
    const started = await post(
      record,
      `${base}/orders/${orderId}/fulfill?mode=async`,
      fulfillmentBody(rule),
    );
    if (!started) record.unanswered++;
    else if (started.status === 202)
      record.acknowledgedSagas.set(orderId, started.body.saga_id as string);
    else record.unexpected.push(`fulfill -> ${started.status} ${JSON.stringify(started.body)}`);
  }
}

/**
 * Runs `clients` concurrent clients against whichever instances `bases()`
 * names at each request, until `stop()` is true.
 */
export async function runTraffic(
  bases: () => string[],
  record: TrafficRecord,
  stop: () => boolean,
  clients = 4,
  random: () => number = Math.random,
): Promise<void> {
  await Promise.all(Array.from({ length: clients }, () => client(bases, record, stop, random)));
}
