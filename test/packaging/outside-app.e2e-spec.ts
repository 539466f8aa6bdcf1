// A Nest application outside the repository, as a user writes it: it installs
// Nest and Cello's tarballs (`npm run pack`) only, compiles with its own tsc and
// runs the three modules on memory and on PostgreSQL, for NestJS 11 and 12; the
// same sources as an ES-module app too.
import { existsSync, lstatSync, readFileSync, realpathSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { createTestDatabase, type TestDatabase } from '../support/postgres-database';
import {
  NEST_11,
  NEST_12,
  REPO_ROOT,
  compileOutsideApp,
  findOnPath,
  installOutsideApp,
  outsideEnv,
  packTarballs,
  reachableNodeModules,
  startOutsideApp,
  writeOutsideApp,
  writeEsmVariant,
  type AppFlavour,
  type OutsideApp,
  type RunningApp,
} from './outside-app-harness';

// npm install may take minutes on a loaded machine with a cold cache.
const INSTALL_MS = 15 * 60_000;
const RUN_MS = 3 * 60_000;

let packsDir: string;
let tarballs: Map<string, string>;

beforeAll(async () => {
  packsDir = await mkdtemp(join(tmpdir(), 'outside-app-packs-'));
  tarballs = await packTarballs(packsDir);
}, INSTALL_MS);

afterAll(async () => {
  if (packsDir) await rm(packsDir, { recursive: true, force: true });
});

async function http(app: RunningApp, method: 'GET' | 'POST', path: string, body?: object) {
  const response = await fetch(`${app.url}${path}`, {
    method,
    headers: body ? { 'content-type': 'application/json' } : {},
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await response.text();
  const json = (): unknown => JSON.parse(text);
  return { status: response.status, text, json };
}

/** One command, one aggregate round trip, one saga, `/metrics` and `/health`. */
async function exerciseApp(app: RunningApp, accountId: string): Promise<void> {
  try {
    await exerciseRoutes(app, accountId);
  } catch (error) {
    // What the app logged says why a route failed.
    (error as Error).message += `\n--- the app's output ---\n${app.output()}`;
    throw error;
  }
}

async function exerciseRoutes(app: RunningApp, accountId: string): Promise<void> {
  const opened = await http(app, 'POST', '/accounts', { accountId, owner: 'Ada' });
  expect({ status: opened.status, body: opened.json() }).toEqual({
    status: 201,
    body: { accountId, version: 1, position: expect.stringMatching(/^\d+$/) },
  });

  const read = await http(app, 'GET', `/accounts/${accountId}`);
  expect({ status: read.status, body: read.json() }).toEqual({
    status: 200,
    body: { accountId, owner: 'Ada', version: 1 },
  });

  const saga = await http(app, 'POST', `/accounts/${accountId}/welcome`);
  expect({ status: saga.status, body: saga.json() }).toEqual({
    status: 201,
    body: {
      success: true,
      status: 'completed',
      stepsCompleted: ['issue_card', 'send_welcome_email'],
      context: { accountId, cardId: `card-${accountId}`, emailKey: expect.any(String) },
    },
  });

  const metrics = await http(app, 'GET', '/metrics');
  expect(metrics.status).toBe(200);
  expect(metrics.text).toContain('cello_events_appended_total{event_type="AccountOpened"} 1');
  expect(metrics.text).toMatch(
    /cello_commands_dispatched_total\{command="OpenAccountCommand",outcome="success"\} 1/,
  );
  expect(metrics.text).toMatch(
    /cello_queries_dispatched_total\{query="GetAccountQuery",outcome="success"\} 1/,
  );
  expect(metrics.text).toMatch(
    /cello_saga_executions_total\{saga="WelcomeSaga",outcome="completed"\} 1/,
  );

  const health = await http(app, 'GET', '/health');
  expect({ status: health.status, body: health.json() }).toEqual({
    status: 200,
    body: expect.objectContaining({
      status: 'ok',
      info: { eventStore: { status: 'up' }, sagaStore: { status: 'up' } },
    }),
  });
}

describe.each([NEST_11, NEST_12])('a NestJS $major app outside the repository', (flavour) => {
  let app: OutsideApp;
  let database: TestDatabase;
  const running: RunningApp[] = [];

  beforeAll(async () => {
    app = await writeOutsideApp(flavour, tarballs);
    database = await createTestDatabase(`outside-app-nest${flavour.major}`);
  }, INSTALL_MS);

  afterEach(async () => {
    await Promise.all(running.splice(0).map((started) => started.stop()));
  }, RUN_MS);

  afterAll(async () => {
    await database?.drop();
    await app?.remove();
  }, RUN_MS);

  async function start(
    env: NodeJS.ProcessEnv = {},
    appFlavour: AppFlavour = 'commonjs',
  ): Promise<RunningApp> {
    const started = await startOutsideApp(app, env, appFlavour);
    running.push(started);
    return started;
  }

  it(
    'installs Nest and the tarballs only: outside the repository, no cargo on PATH',
    async () => {
      expect(relative(REPO_ROOT, app.dir).startsWith('..')).toBe(true);
      expect(reachableNodeModules(app.dir)).toEqual([]);
      expect(findOnPath('cargo', outsideEnv(app))).toBeUndefined();

      const { ms } = await installOutsideApp(app);
      console.log(`NestJS ${flavour.major}: npm install took ${(ms / 1000).toFixed(1)} s`);

      const manifest = (name: string): { version: string; type?: string } =>
        JSON.parse(readFileSync(join(app.dir, 'node_modules', name, 'package.json'), 'utf8'));
      const version = (name: string): string => manifest(name).version;
      expect(version('@nestjs/core')).toBe(flavour.nest);
      // NestJS 12 ships ES modules only; the app and Cello's packages stay CommonJS
      // and load it through Node's require(esm) (unflagged since Node 20.19).
      expect(manifest('@nestjs/common').type).toBe(flavour.major === 12 ? 'module' : undefined);
      expect(manifest('@cello/cqrs').type).toBeUndefined();
      // The prebuilt binding came in as @cello/native's optional dependency, from its tarball.
      expect(version('@cello/native-linux-x64-gnu')).toBe(version('@cello/native'));
      expect(
        existsSync(join(app.dir, 'node_modules/@cello/native-linux-x64-gnu/package.json')),
      ).toBe(true);
      // Extracted from the tarballs into the app, not linked to the repository.
      for (const name of [
        'core',
        'event-sourcing',
        'cqrs',
        'saga',
        'native',
        'native-linux-x64-gnu',
      ]) {
        const installed = join(app.dir, 'node_modules/@cello', name);
        expect(lstatSync(installed).isSymbolicLink()).toBe(false);
        expect(relative(app.dir, realpathSync(installed)).startsWith('..')).toBe(false);
      }
      // One copy of @nestjs/common: every package sees the app's.
      for (const name of ['event-sourcing', 'cqrs', 'saga', 'core']) {
        expect(
          existsSync(join(app.dir, `node_modules/@cello/${name}/node_modules/@nestjs/common`)),
        ).toBe(false);
      }
    },
    INSTALL_MS,
  );

  it(
    "compiles with the app's own tsc, against the packages' declarations",
    async () => {
      await compileOutsideApp(app);
      // CommonJS output: Nest and Cello are loaded with require().
      expect(readFileSync(join(app.dir, 'dist/app.module.js'), 'utf8')).toContain(
        'require("@nestjs/common")',
      );
    },
    RUN_MS,
  );

  it(
    'runs on memory: a command, an aggregate round trip, a saga, /metrics and /health',
    async () => {
      const started = await start();
      await exerciseApp(started, 'acc-memory');
    },
    RUN_MS,
  );

  it(
    'runs on PostgreSQL: the same, and the aggregate is read back after a restart',
    async () => {
      const first = await start({ DATABASE_URL: database.url });
      await exerciseApp(first, 'acc-pg');
      await first.stop();

      const second = await start({ DATABASE_URL: database.url });
      const read = await http(second, 'GET', '/accounts/acc-pg');
      expect({ status: read.status, body: read.json() }).toEqual({
        status: 200,
        body: { accountId: 'acc-pg', owner: 'Ada', version: 1 },
      });
    },
    RUN_MS,
  );

  it(
    'runs as an ES-module app ("type": "module") on memory: the same routes',
    async () => {
      await writeEsmVariant(app);
      await compileOutsideApp(app, 'esm');
      expect(readFileSync(join(app.dir, 'esm/dist/app.module.js'), 'utf8')).toContain(
        "from '@cello/cqrs'",
      );
      const started = await start({}, 'esm');
      await exerciseApp(started, 'acc-esm');
    },
    RUN_MS,
  );
});
