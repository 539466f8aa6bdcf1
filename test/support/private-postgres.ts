import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, chownSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * A PostgreSQL server of a test's own (own data folder and port, made with
 * `initdb`/`pg_ctl`), so the test can stop and start it without touching the
 * shared one. Runs as the `postgres` OS user when the tests run as root
 * (PostgreSQL refuses to run as root); trusts local connections. When the tests
 * run on the embedded server it uses that one's binaries and OS user, which the
 * global setup passes on (CELLO_TEST_PG_BIN_DIR, CELLO_TEST_PG_OS_USER).
 */
export interface PrivatePostgres {
  /** URL of its `postgres` database as the `postgres` user. */
  readonly url: string;
  readonly port: number;
  start(): Promise<void>;
  /** Fast shutdown: clients are disconnected, as in an outage. */
  stop(): Promise<void>;
  /** Stops it and removes its data folder. */
  destroy(): Promise<void>;
}

function pgBin(tool: string): string {
  // Set by the global setup when the tests run on the embedded server.
  const embedded = process.env.CELLO_TEST_PG_BIN_DIR;
  if (embedded && spawnSync('test', ['-x', join(embedded, tool)]).status === 0) {
    return join(embedded, tool);
  }
  for (const version of ['17', '16', '15', '14', '13']) {
    const path = `/usr/lib/postgresql/${version}/bin/${tool}`;
    if (spawnSync('test', ['-x', path]).status === 0) return path;
  }
  throw new Error(`${tool} not found: install PostgreSQL (apt-get install postgresql)`);
}

/** The OS user the servers run as when the tests run as root. */
const osUser = process.env.CELLO_TEST_PG_OS_USER ?? 'postgres';

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

const asRoot = process.getuid?.() === 0;

function run(tool: string, args: string[]): void {
  const command = [pgBin(tool), ...args];
  if (asRoot) {
    const quoted = command.map((part) => `'${part.replace(/'/g, `'\\''`)}'`).join(' ');
    // `-s`: the fallback user (nobody) has no login shell.
    execFileSync('su', ['-s', '/bin/sh', osUser, '-c', quoted], { stdio: 'pipe', cwd: tmpdir() });
  } else {
    execFileSync(command[0], command.slice(1), { stdio: 'pipe' });
  }
}

/**
 * Makes and starts a private PostgreSQL server; `serverOptions` are more `-c name=value`
 * settings (e.g. `shared_preload_libraries=pg_stat_statements`).
 */
export async function startPrivatePostgres(serverOptions: string[] = []): Promise<PrivatePostgres> {
  const dir = mkdtempSync(join(tmpdir(), 'cello-pg-'));
  const dataDir = join(dir, 'data');
  const socketDir = dir;
  if (asRoot) {
    const { uid, gid } = postgresUser();
    chownSync(dir, uid, gid);
  }
  chmodSync(dir, 0o700);
  run('initdb', ['-D', dataDir, '-U', 'postgres', '--auth=trust', '--no-sync', '-E', 'UTF8']);
  const port = await freePort();
  const logFile = join(dir, 'server.log');
  const options = [
    `-p ${port} -k ${socketDir} -c listen_addresses=127.0.0.1 -c fsync=off`,
    ...serverOptions.map((option) => `-c ${option}`),
  ].join(' ');
  const server: PrivatePostgres = {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    port,
    async start() {
      run('pg_ctl', ['-D', dataDir, '-l', logFile, '-o', options, '-w', '-t', '30', 'start']);
    },
    async stop() {
      run('pg_ctl', ['-D', dataDir, '-m', 'fast', '-w', '-t', '30', 'stop']);
    },
    async destroy() {
      spawnSync(
        'su',
        ['-s', '/bin/sh', osUser, '-c', `${pgBin('pg_ctl')} -D ${dataDir} -m immediate stop`],
        {
          stdio: 'ignore',
          cwd: tmpdir(),
        },
      );
      if (!asRoot) spawnSync(pgBin('pg_ctl'), ['-D', dataDir, '-m', 'immediate', 'stop']);
      rmSync(dir, { recursive: true, force: true });
    },
  };
  await server.start();
  return server;
}

function postgresUser(): { uid: number; gid: number } {
  const id = (flag: string) => Number(execFileSync('id', [flag, osUser], { encoding: 'utf8' }));
  return { uid: id('-u'), gid: id('-g') };
}
