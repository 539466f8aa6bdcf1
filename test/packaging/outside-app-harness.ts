import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, realpathSync } from 'node:fs';
import { cp, mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join, relative, resolve, sep } from 'node:path';
import { waitUntil } from '../support/eventually';

/** The repository's root: where `npm run pack` runs. */
export const REPO_ROOT = resolve(__dirname, '../..');

/** The app's sources, copied as they are into the temporary folder. */
const TEMPLATE_DIR = join(__dirname, 'outside-app');

/** The packages the outside app names; the others come in through their dependencies. */
const APP_CELLO_PACKAGES = ['@cello/core', '@cello/event-sourcing', '@cello/cqrs', '@cello/saga'];

/** A Nest major version and the versions of the Nest packages installed with it. */
export interface NestFlavour {
  readonly major: 11 | 12;
  readonly nest: string;
  readonly terminus: string;
}

export const NEST_11: NestFlavour = { major: 11, nest: '11.2.10', terminus: '11.1.1' };
export const NEST_12: NestFlavour = { major: 12, nest: '12.6.3', terminus: '12.2.0' };

export interface CommandOutput {
  readonly stdout: string;
  readonly stderr: string;
  readonly ms: number;
}

/** Runs a command to its end; rejects with its output when it fails. */
export function run(
  command: string,
  args: readonly string[],
  options: { cwd: string; env?: NodeJS.ProcessEnv; timeoutMs: number },
): Promise<CommandOutput> {
  const started = Date.now();
  return new Promise((resolvePromise, reject) => {
    execFile(
      command,
      args,
      {
        cwd: options.cwd,
        env: options.env,
        timeout: options.timeoutMs,
        maxBuffer: 64 * 1024 * 1024,
      },
      (error, stdout, stderr) => {
        if (error) {
          reject(
            new Error(
              `${command} ${args.join(' ')} failed in ${options.cwd}: ${error.message}\n${stdout}\n${stderr}`,
            ),
          );
          return;
        }
        resolvePromise({ stdout, stderr, ms: Date.now() - started });
      },
    );
  });
}

/**
 * Runs `npm run pack` in the repository, writing the tarballs into `folder`
 * (its own, so a parallel pack into dist/packs/ is left alone), and returns
 * each package's tarball by name (`@cello/core` → `cello-core-0.10.0.tgz`).
 * `CELLO_OUTSIDE_APP_PACKS` names a folder of tarballs packed already (a
 * release job's, say): then those are used as they are.
 */
export async function packTarballs(folder: string): Promise<Map<string, string>> {
  const packed = process.env.CELLO_OUTSIDE_APP_PACKS;
  if (!packed) {
    await run('npm', ['run', 'pack', '--', '--out', folder], {
      cwd: REPO_ROOT,
      timeoutMs: 15 * 60_000,
    });
  }
  const source = packed ?? folder;
  const tarballs = new Map<string, string>();
  for (const file of readdirSync(source)) {
    const match = /^cello-(.+)-\d+\.\d+\.\d+(?:-[\w.]+)?\.tgz$/.exec(file);
    if (match) tarballs.set(`@cello/${match[1]}`, resolve(source, file));
  }
  return tarballs;
}

/**
 * The environment of everything run in the outside app. PATH has `node`,
 * `npm` and `npx` (links in the app's `.tools/`), then the system's
 * directories without the ones holding `cargo` (on Debian that includes
 * /usr/bin) and without any `node_modules/.bin` or directory of the
 * repository that `npm test` put there. Dropped too: the variables through
 * which npm (running `npm test`) or Node would reach back into the repository.
 */
export function outsideEnv(app: OutsideApp, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (/^npm_/i.test(name) || DROPPED_VARIABLES.includes(name)) continue;
    env[name] = value;
  }
  const systemDirs = (process.env.PATH ?? '')
    .split(delimiter)
    .filter(
      (dir) =>
        dir !== '' &&
        !existsSync(join(dir, 'cargo')) &&
        !dir.split(sep).includes('node_modules') &&
        relative(REPO_ROOT, dir).startsWith('..'),
    );
  env.PATH = [join(app.dir, TOOLS_DIR), ...systemDirs].join(delimiter);
  return { ...env, ...extra };
}

const DROPPED_VARIABLES = ['INIT_CWD', 'NODE_PATH', 'NODE_OPTIONS', 'CARGO_HOME', 'RUSTUP_HOME'];

/** Folder of the app holding links to `node`, `npm` and `npx`, first on its PATH. */
const TOOLS_DIR = '.tools';

/** Links this Node and its npm into the app's `.tools/`. */
async function linkTools(dir: string): Promise<void> {
  const tools = join(dir, TOOLS_DIR);
  await mkdir(tools);
  await symlink(process.execPath, join(tools, 'node'));
  // npm's CLI sits next to Node: <prefix>/bin/node and <prefix>/lib/node_modules/npm.
  const npmDir = join(dirname(dirname(realpathSync(process.execPath))), 'lib/node_modules/npm/bin');
  await symlink(join(npmDir, 'npm-cli.js'), join(tools, 'npm'));
  await symlink(join(npmDir, 'npx-cli.js'), join(tools, 'npx'));
}

/** The first directory of `PATH` holding `name`, if any. */
export function findOnPath(name: string, env: NodeJS.ProcessEnv): string | undefined {
  return (env.PATH ?? '').split(delimiter).find((dir) => dir !== '' && existsSync(join(dir, name)));
}

/** Every `node_modules` that Node's resolution could reach from `dir` upwards. */
export function reachableNodeModules(dir: string): string[] {
  const found: string[] = [];
  for (let current = dirname(dir); ; current = dirname(current)) {
    if (existsSync(join(current, 'node_modules'))) found.push(join(current, 'node_modules'));
    if (dirname(current) === current) return found;
  }
}

/** A Nest application written into a new temporary folder outside the repository. */
export interface OutsideApp {
  readonly dir: string;
  remove(): Promise<void>;
}

/**
 * Writes the app (sources, tsconfig, a package.json naming the Nest packages
 * of `flavour` and the Cello tarballs) into a new folder under the system's
 * temporary directory. Every `@cello/*` name, including the ones only reached
 * through dependencies (`@cello/native`, its platform package), is pinned to
 * its tarball with `overrides`, so npm never asks the registry for them.
 */
export async function writeOutsideApp(
  flavour: NestFlavour,
  tarballs: ReadonlyMap<string, string>,
): Promise<OutsideApp> {
  const dir = await mkdtemp(join(tmpdir(), `outside-app-nest${flavour.major}-`));
  await cp(join(TEMPLATE_DIR, 'src'), join(dir, 'src'), { recursive: true });
  await cp(join(TEMPLATE_DIR, 'tsconfig.json'), join(dir, 'tsconfig.json'));
  await linkTools(dir);
  const cello = Object.fromEntries([...tarballs].map(([name, file]) => [name, `file:${file}`]));
  const dependencies: Record<string, string> = {
    '@nestjs/common': flavour.nest,
    '@nestjs/core': flavour.nest,
    '@nestjs/platform-express': flavour.nest,
    '@nestjs/terminus': flavour.terminus,
    '@willsoto/nestjs-prometheus': '6.1.1',
    'prom-client': '15.1.3',
    pg: '8.23.1',
    typeorm: '1.1.1',
    'reflect-metadata': '0.2.2',
    rxjs: '7.8.2',
  };
  for (const name of APP_CELLO_PACKAGES) {
    const spec = cello[name];
    if (!spec) throw new Error(`npm run pack wrote no tarball for ${name}`);
    dependencies[name] = spec;
  }
  const packageJson = {
    name: `outside-app-nest${flavour.major}`,
    version: '1.0.0',
    private: true,
    license: 'MIT',
    dependencies,
    devDependencies: { typescript: '6.0.3', '@types/node': '^20.19.0' },
    overrides: cello,
  };
  await writeFile(join(dir, 'package.json'), `${JSON.stringify(packageJson, null, 2)}\n`);
  return { dir, remove: () => rm(dir, { recursive: true, force: true }) };
}

/** `npm install` in the app's folder, with the outside environment. */
export function installOutsideApp(app: OutsideApp): Promise<CommandOutput> {
  return run(
    join(app.dir, TOOLS_DIR, 'npm'),
    ['install', '--no-audit', '--no-fund', '--loglevel=error'],
    {
      cwd: app.dir,
      env: outsideEnv(app),
      timeoutMs: 15 * 60_000,
    },
  );
}

/**
 * The app as a user builds it: `commonjs` (Nest's default; package.json
 * without `type`) at the app's root, or `esm`, the same sources in `esm/`
 * whose package.json says `"type": "module"` (it uses the root's node_modules).
 */
export type AppFlavour = 'commonjs' | 'esm';

function appRoot(app: OutsideApp, flavour: AppFlavour): string {
  return flavour === 'esm' ? join(app.dir, 'esm') : app.dir;
}

/** Writes the ES-module copy of the app into `esm/`. */
export async function writeEsmVariant(app: OutsideApp): Promise<void> {
  const root = appRoot(app, 'esm');
  await cp(join(TEMPLATE_DIR, 'src'), join(root, 'src'), { recursive: true });
  await cp(join(TEMPLATE_DIR, 'tsconfig.json'), join(root, 'tsconfig.json'));
  const packageJson = { name: 'outside-app-esm', version: '1.0.0', private: true, type: 'module' };
  await writeFile(join(root, 'package.json'), `${JSON.stringify(packageJson, null, 2)}\n`);
}

/** Compiles the app with its own TypeScript, into `dist/` (of `esm/` for the ES-module copy). */
export function compileOutsideApp(
  app: OutsideApp,
  flavour: AppFlavour = 'commonjs',
): Promise<CommandOutput> {
  const tsc = join(app.dir, 'node_modules/typescript/bin/tsc');
  // The declarations were checked by the CommonJS build; the ES-module one checks the app only.
  const args =
    flavour === 'esm' ? ['-p', 'tsconfig.json', '--skipLibCheck'] : ['-p', 'tsconfig.json'];
  return run(process.execPath, [tsc, ...args], {
    cwd: appRoot(app, flavour),
    env: outsideEnv(app),
    timeoutMs: 5 * 60_000,
  });
}

/** The compiled app, running as a child process. */
export interface RunningApp {
  readonly url: string;
  /** Everything it wrote to stdout and stderr so far. */
  output(): string;
  /** Stops it with SIGTERM (SIGKILL after 30 s) and resolves once it has exited. */
  stop(): Promise<void>;
}

/** Starts `node dist/main.js` on a free port and resolves once it listens. */
export async function startOutsideApp(
  app: OutsideApp,
  extraEnv: NodeJS.ProcessEnv = {},
  flavour: AppFlavour = 'commonjs',
): Promise<RunningApp> {
  const child: ChildProcess = spawn(process.execPath, ['dist/main.js'], {
    cwd: appRoot(app, flavour),
    env: outsideEnv(app, { PORT: '0', ...extraEnv }),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<void>((resolveExit) => child.once('exit', () => resolveExit()));
  const stop = async (): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    const killer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    await exited;
    clearTimeout(killer);
  };
  try {
    await waitUntil(
      'the outside app listens',
      () => {
        if (child.exitCode !== null)
          throw new Error(`the outside app exited with ${child.exitCode}`);
        return /outside-app listening on http:\/\/\S+/.test(output);
      },
      120_000,
    );
  } catch (error) {
    await stop();
    throw new Error(`${(error as Error).message}\n--- the app's output ---\n${output}`, {
      cause: error,
    });
  }
  const url = /outside-app listening on (http:\/\/\S+)/.exec(output)![1]!;
  return { url, output: () => output, stop };
}
