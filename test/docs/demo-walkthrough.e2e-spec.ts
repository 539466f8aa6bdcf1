// README.md's "Demo walkthrough", run as written against the demo on the in-memory store: the
// same requests in the same order, checked against the responses the README documents.
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import type { Response } from 'supertest';
import { bootDemo, type RunningDemo } from '../e2e/demo-support';
import { waitUntil } from '../support/eventually';
import { readDemoWalkthrough, type WalkthroughStep } from './demo-walkthrough-reader';

const readme = readFileSync(path.resolve(__dirname, '../../README.md'), 'utf8');
const steps = readDemoWalkthrough(readme);

/** The documented JSON as a matcher: "…" placeholders and "and more" arrays become asymmetric matchers. */
function pattern(value: unknown): unknown {
  if (typeof value === 'string') {
    if (value === '…') return expect.any(String);
    if (value.startsWith('…') || value.endsWith('…'))
      return expect.stringContaining(value.replace(/…/g, ''));
    return value;
  }
  if (Array.isArray(value)) {
    if (value.at(-1) === '…') return expect.arrayContaining(value.slice(0, -1).map(pattern));
    return value.map(pattern);
  }
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([key, field]) => [key, pattern(field)]));
  }
  return value;
}

describe('the README demo walkthrough', () => {
  let demo: RunningDemo;
  const variables = new Map<string, string>();
  const answers: { step: WalkthroughStep; response: Response }[] = [];

  const resolve = (text: string) =>
    text.replace(/\$(\w+)/g, (_, name: string) => variables.get(name) ?? `$${name}`);

  async function send(step: WalkthroughStep): Promise<Response> {
    const url = resolve(step.path);
    let call = step.method === 'POST' ? demo.http().post(url) : demo.http().get(url);
    for (const [name, value] of Object.entries(step.headers)) call = call.set(name, value);
    return step.body === undefined ? call : call.send(step.body as object);
  }

  beforeAll(async () => {
    demo = await bootDemo();
    for (const step of steps) {
      // "Run this twice": the second answer must be the first one's.
      const times = step.comments.some((c) => c.includes('Run this twice')) ? 2 : 1;
      for (let i = 0; i < times; i += 1) {
        let response = await send(step);
        if (step.comments.some((c) => c.includes('once it ended'))) {
          await waitUntil('the background saga ended', async () => {
            response = await send(step);
            return (response.body as { status?: string }).status !== 'running';
          });
        }
        answers.push({ step, response });
      }
      if (step.assigns)
        variables.set(
          step.assigns,
          (answers.at(-1)!.response.body as { order_id: string }).order_id,
        );
    }
  }, 120_000);

  afterAll(() => demo?.close());

  it('reads the requests and the documented responses of the section', () => {
    expect(steps.length).toBeGreaterThanOrEqual(15);
    expect(steps.filter((s) => s.documented).length).toBeGreaterThanOrEqual(9);
  });

  it('answers every documented request with the documented status and JSON', () => {
    const checked = answers.filter(({ step }) => step.documented);
    for (const { step, response } of checked) {
      const where = `${step.method} ${step.path}`;
      const { status, json } = step.documented!;
      expect({ where, status: response.status }).toEqual({ where, status: status ?? 200 });
      if (json !== undefined) expect(response.body).toMatchObject(pattern(json) as object);
    }
  });

  it('answers the requests without a documented response with 200', () => {
    for (const { step, response } of answers.filter(
      ({ step }) => !step.documented && !step.assigns,
    )) {
      expect({ where: `${step.method} ${step.path}`, status: response.status }).toEqual({
        where: `${step.method} ${step.path}`,
        status: 200,
      });
    }
  });

  it('shows in the ledger what the comments say: reserve, charge, ship; a replayed request charges once', () => {
    const ledgerOf = (variable: string) =>
      answers.find(({ step }) => step.path === `/demo/ledger?order_id=$${variable}`)!.response
        .body as {
        entries: { action: string }[];
      };
    expect(ledgerOf('ORDER').entries.map((e) => e.action)).toEqual(['reserve', 'charge', 'ship']);
    expect(ledgerOf('ORDER2').entries.map((e) => e.action)).toEqual([
      'reserve',
      'charge',
      'refund',
      'release',
    ]);

    const pages = answers.filter(({ step }) => step.path.startsWith('/demo/ledger?limit=2'));
    expect(
      pages.map(({ response }) => (response.body as { next_after: number | null }).next_after),
    ).toEqual([2, null]);

    const replayed = answers.filter(({ step }) => step.headers['Idempotency-Key'] === 'checkout-1');
    expect(replayed).toHaveLength(2);
    expect(replayed[1]!.response.body).toEqual(replayed[0]!.response.body);
  });

  it('gets one more charge, not two, from the request run twice with one Idempotency-Key', async () => {
    const ledger = await demo.http().get(`/demo/ledger?order_id=${variables.get('ORDER')}`);
    const charges = (ledger.body as { entries: { action: string }[] }).entries.filter(
      (e) => e.action === 'charge',
    );
    expect(charges).toHaveLength(2);
  });
});
