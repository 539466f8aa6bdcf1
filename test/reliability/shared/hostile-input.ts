// Arbitraries and checks for the hostile-input tests of the demo's HTTP routes.
import fc from 'fast-check';
import type { Response } from 'supertest';

/** Strings a database, an HTML page or a shell might treat specially. */
export const METACHARACTERS = [
  `'; DROP TABLE cello_events; --`,
  `" OR 1=1 --`,
  `Robert'); DELETE FROM orders;--`,
  `<script>alert("x")</script>`,
  `<img src=x onerror=alert(1)>`,
  `&amp; &lt; &#x27; &quot;`,
  `%_\\%\\_`,
  `$1 $$ $tag$ :name ?`,
  `\\x00 \\u0000 \\n`,
  `{"json": [1, 2]}`,
  `../../etc/passwd`,
  '`rm -rf /`; $(reboot)',
  `Zoë Ünïcødé 北京 شارع 🚀👩‍👩‍👧‍👦`,
  `\u202Eevil\u202C right-to-left`,
  `tab\tnew\nline\rcr`,
  'nul\u0000inside',
];

/** Any string, all of Unicode, sometimes seeded with metacharacters. */
export const hostileString: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(...METACHARACTERS),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  fc
    .tuple(fc.constantFrom(...METACHARACTERS), fc.string({ unit: 'binary', maxLength: 10 }))
    .map(([a, b]) => a + b),
);

/**
 * A non-empty hostile string that a JSON body and PostgreSQL text can carry:
 * anything but NUL, which PostgreSQL refuses (the demo answers 400 for it).
 */
export const storableString: fc.Arbitrary<string> = hostileString
  .map((s) => s.slice(0, 100).replaceAll('\u0000', ''))
  .filter((s) => s.trim().length > 0);

/** Any JSON value, deeply nested sometimes, of wrong types for every field. */
export const anyJson: fc.Arbitrary<unknown> = fc.oneof(
  fc.jsonValue({ maxDepth: 6 }),
  fc.anything({ maxDepth: 4, withNullPrototype: false }).map((v) => JSON.parse(safeJson(v))),
);

function safeJson(value: unknown): string {
  try {
    return JSON.stringify(value) ?? 'null';
  } catch {
    return 'null';
  }
}

/** A body shaped like an order, each field possibly of the wrong type or hostile. */
export const orderLikeBody: fc.Arbitrary<Record<string, unknown>> = fc.record(
  {
    customer_id: fc.oneof(hostileString, anyJson),
    items: fc.oneof(
      fc.array(
        fc.record(
          {
            sku: fc.oneof(hostileString, anyJson),
            quantity: fc.oneof(fc.integer(), fc.double(), anyJson),
            price: fc.oneof(fc.integer(), fc.double(), anyJson),
          },
          { requiredKeys: [] },
        ),
        { maxLength: 4 },
      ),
      anyJson,
    ),
    total: fc.oneof(fc.double(), fc.integer(), anyJson),
    address: fc.oneof(
      fc.record(
        { country: fc.oneof(hostileString, fc.constantFrom('FR', 'XX')), line1: anyJson },
        { requiredKeys: [] },
      ),
      anyJson,
    ),
    tracking_number: fc.oneof(hostileString, anyJson),
    reason: fc.oneof(hostileString, anyJson),
    constructor: anyJson,
  },
  { requiredKeys: [] },
);

/** JSON nested `depth` levels deep, as raw text (too deep for naive recursive code). */
export function deeplyNested(depth: number): string {
  return `{"customer_id":"c","items":${'['.repeat(depth)}${']'.repeat(depth)}}`;
}

/**
 * The demo's promise for any input: no 5xx (but the documented 500 of a failed
 * fulfilment saga, which names its failed step), and every 4xx says what was wrong.
 */
export function expectAnHonestAnswer(response: Response, route: string): void {
  const body = response.body as Record<string, unknown>;
  if (response.status >= 500) {
    const documentedSagaFailure =
      route === 'fulfill' &&
      response.status === 500 &&
      body.status === 'failed' &&
      typeof body.failed_step === 'string';
    if (!documentedSagaFailure) {
      throw new Error(
        `${route} answered ${response.status}: ${JSON.stringify(body).slice(0, 500)} ` +
          `(request: ${requestOf(response)})`,
      );
    }
    return;
  }
  if (response.status >= 400) {
    const message = body.message;
    const clear =
      (typeof message === 'string' && message.length > 0) ||
      (Array.isArray(message) &&
        message.length > 0 &&
        message.every((m) => typeof m === 'string' && m.length > 0));
    if (!clear) {
      throw new Error(
        `${route} answered ${response.status} without a clear message: ${JSON.stringify(body)}`,
      );
    }
  }
}

function requestOf(response: Response): string {
  const request = (response as unknown as { req?: { method?: string; path?: string } }).req;
  return `${request?.method ?? '?'} ${request?.path ?? '?'}`;
}
