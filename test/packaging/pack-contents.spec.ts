import { execFile, execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';

// What `npm pack` would publish for each package: library code, types, maps,
// the manifest, README and LICENSE; never specs, fixtures, measure scripts or
// build info. Needs the built packages (`npm run build`): built here if missing.
const ROOT = path.resolve(__dirname, '../..');
const LIBS = ['core', 'event-sourcing', 'cqrs', 'saga', 'devtools', 'relay'];
const ALLOWED_IN_LIB = [
  /^dist\/.+\.js$/,
  /^dist\/.+\.d\.ts$/,
  /^dist\/.+\.(js|d\.ts)\.map$/,
  /^package\.json$/,
  /^README\.md$/,
  /^LICENSE$/,
];
// napi's generated loader and its types; the binary ships in the platform package.
const ALLOWED_IN_NATIVE = [
  /^index\.js$/,
  /^index\.d\.ts$/,
  /^package\.json$/,
  /^README\.md$/,
  /^LICENSE$/,
];
const NEVER =
  /(\.spec|\.int-spec|\.e2e-spec|__fixtures__|\/measure\/|\.tsbuildinfo|\.node$|\.ts$(?<!\.d\.ts))/;

interface PackedFile {
  path: string;
  size: number;
}

const run = promisify(execFile);

async function packedFiles(directory: string): Promise<PackedFile[]> {
  const { stdout } = await run('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], {
    cwd: path.join(ROOT, directory),
    maxBuffer: 64 * 1024 * 1024,
  });
  const [report] = JSON.parse(stdout) as [{ files: PackedFile[] }];
  return report.files;
}

function exportTargets(manifest: { exports: Record<string, unknown> }): string[] {
  return Object.values(manifest.exports).flatMap((target) =>
    typeof target === 'string' ? [target] : Object.values(target as Record<string, string>),
  );
}

beforeAll(() => {
  const built = LIBS.every((lib) => existsSync(path.join(ROOT, 'libs', lib, 'dist', 'index.js')));
  if (!built) execFileSync('npm', ['run', 'build'], { cwd: ROOT, stdio: 'inherit' });
}, 300_000);

describe.each(LIBS)('npm pack of @cello/%s', (lib) => {
  let files: string[];
  const manifest = JSON.parse(readFileSync(path.join(ROOT, 'libs', lib, 'package.json'), 'utf8'));

  beforeAll(async () => {
    files = (await packedFiles(path.join('libs', lib))).map((file) => file.path);
  }, 60_000);

  it('holds only built library code, types, maps, the manifest, README and LICENSE', () => {
    const unexpected = files.filter(
      (file) => NEVER.test(file) || !ALLOWED_IN_LIB.some((allowed) => allowed.test(file)),
    );
    expect(unexpected).toEqual([]);
    expect(files).toEqual(expect.arrayContaining(['package.json', 'LICENSE', 'dist/index.js']));
  });

  it('ships every file its exports, main and types point at', () => {
    const targets = [...exportTargets(manifest), manifest.main, manifest.types].map((target) =>
      target.replace(/^\.\//, ''),
    );
    expect(targets.filter((target) => !files.includes(target))).toEqual([]);
  });
});

describe('npm pack of @cello/native', () => {
  it("holds napi's loader and its types only", async () => {
    const files = (await packedFiles('native')).map((file) => file.path);
    const unexpected = files.filter(
      (file) => NEVER.test(file) || !ALLOWED_IN_NATIVE.some((allowed) => allowed.test(file)),
    );
    expect(unexpected).toEqual([]);
    expect(files).toEqual(expect.arrayContaining(['package.json', 'index.js', 'index.d.ts']));
  }, 60_000);
});
