import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import * as os from 'node:os';
import * as path from 'node:path';
import { isCelloError, NativeBindingUnavailableError } from '@cello/core';
import { loadNativeBinding, type NativeBinding } from '@cello/core/native/native-binding';
import { nativePlatform } from '@cello/core/native/native-platform';

// `@cello/native` and `@cello/native-linux-x64-gnu` as `npm run pack` writes them,
// installed into an app outside the repository with no Rust toolchain on PATH.
const root = path.resolve(__dirname, '..', '..');
const version = '0.10.0';
const nativeTarball = `cello-native-${version}.tgz`;
const platformTarball = `cello-native-linux-x64-gnu-${version}.tgz`;
// System directories only: cargo lives in ~/.cargo/bin, which this leaves out.
const noCargoPath = [path.dirname(process.execPath), '/usr/local/bin', '/usr/bin', '/bin']
  .filter((dir, i, all) => all.indexOf(dir) === i && !fs.existsSync(path.join(dir, 'cargo')))
  .join(path.delimiter);
// Nothing may come from a registry: `--offline` and a registry nobody listens on.
// npm on a loaded 2-core machine can take a while.
const installTimeout = 180_000;
const offlineInstall = [
  'install',
  '--no-audit',
  '--no-fund',
  '--offline',
  '--registry=http://127.0.0.1:9/',
];

let workDir: string;
let packsDir: string;

function run(command: string, args: string[], cwd: string): string {
  return execFileSync(command, args, {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, PATH: noCargoPath },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

/** A new npm project outside the repository. */
function newApp(name: string): string {
  const dir = path.join(workDir, name);
  fs.mkdirSync(dir);
  run('npm', ['init', '-y'], dir);
  return dir;
}

function tarballFiles(tarball: string): string[] {
  return execFileSync('tar', ['-tzf', path.join(packsDir, tarball)], { encoding: 'utf8' })
    .split('\n')
    .filter(Boolean)
    .sort();
}

function tarballManifest(tarball: string): Record<string, unknown> {
  const text = execFileSync(
    'tar',
    ['-xzOf', path.join(packsDir, tarball), 'package/package.json'],
    {
      encoding: 'utf8',
    },
  );
  return JSON.parse(text) as Record<string, unknown>;
}

beforeAll(() => {
  workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cello-native-package-'));
  packsDir = path.join(workDir, 'packs');
  // Builds the binding first if it is missing or stale (that needs cargo; the
  // installs below do not). Its own folder: a parallel `npm run pack` keeps dist/packs.
  execFileSync(process.execPath, ['scripts/pack.js', '--native-only', '--out', packsDir], {
    cwd: root,
    stdio: 'pipe',
  });
}, 600_000);

afterAll(() => {
  if (workDir) fs.rmSync(workDir, { recursive: true, force: true });
});

describe('the @cello/native packages', () => {
  it('should pack the loader, naming the platform package as an optional dependency', () => {
    expect(tarballFiles(nativeTarball)).toEqual([
      'package/LICENSE',
      'package/README.md',
      'package/index.d.ts',
      'package/index.js',
      'package/package.json',
    ]);
    const manifest = tarballManifest(nativeTarball);
    expect(manifest).toMatchObject({ name: '@cello/native', version, main: 'index.js' });
    expect(manifest.private).toBeUndefined();
    expect(manifest.optionalDependencies).toEqual({ '@cello/native-linux-x64-gnu': version });
  });

  it('should pack the linux-x64-gnu binary in a package npm installs only on Linux x64 glibc', () => {
    expect(tarballFiles(platformTarball)).toEqual([
      'package/LICENSE',
      'package/README.md',
      'package/cello-native.linux-x64-gnu.node',
      'package/package.json',
    ]);
    expect(tarballManifest(platformTarball)).toMatchObject({
      name: '@cello/native-linux-x64-gnu',
      version,
      os: ['linux'],
      cpu: ['x64'],
      libc: ['glibc'],
      main: 'cello-native.linux-x64-gnu.node',
    });
  });

  describe('when an app outside the repository installs both tarballs with no cargo on PATH', () => {
    it(
      'should load the prebuilt binding',
      () => {
        // Given an app in a temporary folder, and no cargo reachable
        const app = newApp('with-binary');
        const which = spawnSync('sh', ['-c', 'command -v cargo'], {
          env: { ...process.env, PATH: noCargoPath },
        });
        expect(which.status).not.toBe(0);

        // When it installs the two tarballs, offline
        const started = Date.now();
        run(
          'npm',
          [
            ...offlineInstall,
            path.join(packsDir, nativeTarball),
            path.join(packsDir, platformTarball),
          ],
          app,
        );
        console.log(`install of @cello/native without cargo: ${Date.now() - started} ms`);

        // Then @cello/native loads the platform package's binary and answers
        const output = run(
          process.execPath,
          ['-e', "console.log(require('@cello/native').crc32c(Buffer.from('123456789')))"],
          app,
        );
        expect(Number(output.trim())).toBe(0xe3069283);
        expect(fs.existsSync(path.join(app, 'node_modules', '@cello', 'native', 'index.js'))).toBe(
          true,
        );
        expect(
          fs
            .readdirSync(path.join(app, 'node_modules', '@cello', 'native'))
            .filter((file) => file.endsWith('.node')),
        ).toEqual([]);
      },
      installTimeout,
    );
  });

  describe('when the platform package is missing, as on a platform without a prebuilt binary', () => {
    it(
      'should fail to load, and @cello/core should say which platform and how to build',
      () => {
        // Given an app with @cello/native only
        const app = newApp('without-binary');
        run('npm', [...offlineInstall, path.join(packsDir, nativeTarball)], app);
        const loader = path.join(app, 'node_modules', '@cello', 'native', 'index.js');

        // When @cello/core loads it
        let error: unknown;
        try {
          loadNativeBinding(() => createRequire(loader)(loader) as NativeBinding);
        } catch (caught) {
          error = caught;
        }

        // Then napi-rs's loader failure arrives typed, with the way out
        expect(error).toBeInstanceOf(NativeBindingUnavailableError);
        expect(isCelloError(error, 'native-binding-unavailable')).toBe(true);
        expect((error as Error).message).toContain(`could not be loaded on ${nativePlatform()}`);
        expect((error as Error).message).toMatch(/Cannot find native binding/);
        expect((error as Error).message).toMatch(/build the binding from source/);
      },
      installTimeout,
    );
  });
});
