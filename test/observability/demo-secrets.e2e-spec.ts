import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { Client } from 'pg';
import { createTestDatabase, type TestDatabase } from '../support/postgres-database';
import { waitUntil } from '../support/eventually';

const ROOT = path.resolve(__dirname, '../..');

/** A password with every character that broke the old redaction, and a space. */
const PASSWORD = `Zq/7#k@x?y:w%9 ${randomBytes(3).toString('hex')}`;
/** Pieces of it that must never be printed or served, raw or percent-encoded. */
const LEAKS = [PASSWORD, encodeURIComponent(PASSWORD), 'Zq/7', 'Zq%2F7', 'k@x?y', 'k%40x%3Fy'];

/** The demo's real entry point (apps/demo/src/main.ts) in a child process. */
interface DemoMain {
  readonly child: ChildProcess;
  /** Everything written to stdout and stderr so far. */
  output(): string;
  /** The port it listens on, once it does. */
  port?: number;
  exited: Promise<number | null>;
}

function startMain(databaseUrl: string): DemoMain {
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1', PORT: '0' };
  env.DATABASE_URL = databaseUrl;
  const child = spawn(
    process.execPath,
    ['-r', './scripts/register-ts.js', 'apps/demo/src/main.ts'],
    {
      cwd: ROOT,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let text = '';
  const demo: DemoMain = {
    child,
    output: () => text,
    exited: new Promise((resolve) => child.once('exit', (code) => resolve(code))),
  };
  const collect = (chunk: Buffer) => {
    text += chunk.toString();
    const match = /listening on http:\/\/localhost:(\d+)/.exec(text);
    if (match) demo.port = Number(match[1]);
  };
  child.stdout!.on('data', collect);
  child.stderr!.on('data', collect);
  return demo;
}

async function stop(demo: DemoMain | undefined): Promise<void> {
  if (!demo) return;
  if (demo.child.exitCode === null && demo.child.signalCode === null) demo.child.kill('SIGKILL');
  await demo.exited;
}

/** GETs `path` and resolves with status and body text. */
async function get(demo: DemoMain, route: string): Promise<string> {
  const response = await fetch(`http://127.0.0.1:${demo.port}${route}`);
  return `${response.status} ${await response.text()}`;
}

function expectNoPassword(text: string): void {
  for (const leak of LEAKS) expect(text).not.toContain(leak);
}

describe('the demo given a DATABASE_URL with a password', () => {
  const role = `cello_pw_${randomBytes(4).toString('hex')}`;
  let database: TestDatabase;
  let admin: Client;
  let demo: DemoMain | undefined;

  beforeAll(async () => {
    database = await createTestDatabase('demo-secrets');
    admin = new Client({ connectionString: database.url });
    await admin.connect();
    await admin.query(
      `CREATE ROLE ${role} LOGIN PASSWORD '${PASSWORD.replace(/'/g, "''")}'; ` +
        `ALTER DATABASE "${database.name}" OWNER TO ${role}; ALTER SCHEMA public OWNER TO ${role}`,
    );
  });

  afterEach(async () => {
    await stop(demo);
    demo = undefined;
  });

  afterAll(async () => {
    await admin?.end();
    await database?.drop();
    const cleanup = new Client({ connectionString: process.env.CELLO_TEST_PG_ADMIN_URL });
    await cleanup.connect();
    await cleanup.query(`DROP ROLE IF EXISTS ${role}`);
    await cleanup.end();
  });

  function urlWith(host: string): string {
    const url = new URL(database.url);
    url.username = role;
    url.password = encodeURIComponent(PASSWORD);
    url.host = host;
    url.search = `?sslmode=disable&password=${encodeURIComponent(PASSWORD)}`;
    return url.toString();
  }

  it('should never print it nor serve it when the database is reachable', async () => {
    // Given
    demo = startMain(urlWith(new URL(database.url).host));
    await waitUntil('the demo listens', () => demo!.port !== undefined, 90_000);

    // When: real work, then every page that could show configuration or errors
    const order = await fetch(`http://127.0.0.1:${demo.port}/orders`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ customer_id: 'c-1', items: [{ sku: 'A', quantity: 1, price: 2 }] }),
    });
    expect(order.status).toBe(201);
    const served = await Promise.all(
      ['/health', '/events', '/events/api/events', '/sagas/api/sagas', '/metrics', '/nope'].map(
        (route) => get(demo!, route),
      ),
    );

    // Then
    expect(served[0]).toMatch(/^200 /);
    expect(served[2]).toContain('OrderCreated');
    expect(demo.output()).toContain('Storage: PostgreSQL at postgres://***@');
    expectNoPassword(served.join('\n'));
    expectNoPassword(demo.output());
  });

  it('should never print it nor serve it when the database is unreachable', async () => {
    // Given: nothing listens on port 1
    demo = startMain(urlWith('127.0.0.1:1'));
    await waitUntil('the demo listens', () => demo!.port !== undefined, 90_000);

    // When
    const health = await get(demo, '/health');
    const order = await fetch(`http://127.0.0.1:${demo.port}/orders`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ customer_id: 'c-1', items: [{ sku: 'A', quantity: 1, price: 2 }] }),
    });

    // Then
    expect(health).toMatch(/^503 /);
    expect(order.status).toBe(503);
    expect(demo.output()).toMatch(/unreachable/);
    expectNoPassword(health + (await order.text()));
    expectNoPassword(demo.output());
  });

  it('should not print it when the URL cannot be parsed (a raw / and # in the password)', async () => {
    // Given
    demo = startMain(`postgres://${role}:${PASSWORD}@127.0.0.1:1/db`);

    // When
    const code = await demo.exited;

    // Then
    expect(code).toBe(1);
    expect(demo.output()).toContain('DATABASE_URL');
    expectNoPassword(demo.output());
  });
});
