import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import request from 'supertest';
import { usePostgresDatabase } from '../support/postgres-database';
import { fulfillBody, orderBody } from './demo-support';

const root = path.resolve(__dirname, '../..');

/** A demo process on the test database; resolves once it listens. */
function startDemo(
  url: string,
  env: Record<string, string> = {},
): Promise<{ child: ChildProcess; base: string }> {
  const child = spawn(
    process.execPath,
    ['-r', './scripts/register-ts.js', './test/e2e/support/demo-worker.ts'],
    {
      cwd: root,
      env: { ...process.env, DATABASE_URL: url, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let errors = '';
  child.stderr!.on('data', (chunk: Buffer) => (errors += chunk.toString()));
  return new Promise((resolve, reject) => {
    child.stdout!.on('data', (chunk: Buffer) => {
      const match = /listening (\d+)/.exec(chunk.toString());
      if (match) resolve({ child, base: `http://127.0.0.1:${match[1]}` });
    });
    child.on('exit', (code) => reject(new Error(`demo exited with ${code}: ${errors}`)));
  });
}

function killed(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGKILL');
  });
}

async function ledgerActions(base: string, orderId: string): Promise<string[]> {
  const response = await request(base).get('/demo/ledger').query({ order_id: orderId }).expect(200);
  return (response.body as { entries: { action: string }[] }).entries.map((e) => e.action);
}

async function until<T>(probe: () => Promise<T>, done: (value: T) => boolean): Promise<T> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const value = await probe();
    if (done(value) || Date.now() > deadline) return value;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('the demo killed in the middle of fulfilments', () => {
  const db = usePostgresDatabase();
  const children: ChildProcess[] = [];

  afterAll(async () => {
    for (const child of children) {
      if (child.exitCode === null && child.signalCode === null) await killed(child);
    }
  });

  it('should finish every saga after a restart, with each effect and compensation once', async () => {
    // Given: a demo whose service calls are slow, running two async fulfilments
    const first = await startDemo(db.url, { DEMO_STEP_DELAY_MS: '400' });
    children.push(first.child);
    const create = async () =>
      (await request(first.base).post('/orders').send(orderBody()).expect(201)).body
        .order_id as string;
    const good = await create();
    const refused = await create();
    await request(first.base)
      .post(`/orders/${good}/fulfill?mode=async`)
      .send(fulfillBody())
      .expect(202);
    await request(first.base)
      .post(`/orders/${refused}/fulfill?mode=async`)
      .send(fulfillBody({ country: 'XX' }))
      .expect(202);
    // When: SIGKILL once both have charged, while their shipping calls are in flight
    await until(
      async () => [await ledgerActions(first.base, good), await ledgerActions(first.base, refused)],
      ([a, b]) => a.includes('charge') && b.includes('charge'),
    );
    await killed(first.child);
    const second = await startDemo(db.url);
    children.push(second.child);
    // Then
    const settle = (id: string) =>
      until(
        async () => (await request(second.base).get(`/orders/${id}/fulfillment`).expect(200)).body,
        (body: { status: string }) => body.status !== 'running',
      );
    expect(await settle(good)).toMatchObject({ status: 'completed' });
    expect(await settle(refused)).toMatchObject({
      status: 'compensated',
      failed_step: 'ship_order',
    });
    expect(await ledgerActions(second.base, good)).toEqual(['reserve', 'charge', 'ship']);
    expect(await ledgerActions(second.base, refused)).toEqual([
      'reserve',
      'charge',
      'refund',
      'release',
    ]);
    const orders = await request(second.base).get('/orders').expect(200);
    expect(orders.body.orders.map((o: { id: string }) => o.id).sort()).toEqual(
      [good, refused].sort(),
    );
  }, 90_000);
});
