#!/usr/bin/env node
// `npm run pack`: builds everything and writes every package's tarball into one
// folder, dist/packs/, the way a registry would receive them. The native binding
// is shipped the napi-rs way: `@cello/native` holds only the loader and names one
// package per platform (holding the prebuilt `.node`) as an optional dependency.
//
//   node scripts/pack.js                 build, then pack the libraries and the native packages
//   node scripts/pack.js --native-only   pack @cello/native and its platform packages only
//   node scripts/pack.js --out <dir>     write the tarballs to <dir> instead of dist/packs/
'use strict';

const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const nativeDir = path.join(root, 'native');
const npmDir = path.join(nativeDir, 'npm');
const outFlag = process.argv.indexOf('--out');
// `--out <dir>`: another folder than dist/packs/, e.g. a test's own temporary one.
const packsDir =
  outFlag > 0 ? path.resolve(process.argv[outFlag + 1]) : path.join(root, 'dist', 'packs');
const libs = ['core', 'event-sourcing', 'cqrs', 'saga', 'devtools', 'relay'];
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';

function run(command, args, options = {}) {
  return execFileSync(command, args, { cwd: root, stdio: 'inherit', ...options });
}

/** Runs `npm pack --json` and reports the tarball it wrote. */
function pack(args) {
  const output = execFileSync(npm, ['pack', '--json', '--pack-destination', packsDir, ...args], {
    cwd: root,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  // npm prints the JSON array last; lifecycle scripts may print before it.
  const report = JSON.parse(output.slice(output.indexOf('[')));
  for (const entry of report) {
    const kib = (entry.size / 1024).toFixed(1);
    console.log(`  ${entry.filename}  ${kib} KiB  ${entry.entryCount} files`);
  }
}

/**
 * Copies each built `.node` from native/ into its platform package, as
 * `napi artifacts` does; by hand because that command also rewrites native/'s
 * own loader and binary in place, which other processes may be using. A copy
 * and a rename, so a reader never sees half a file.
 */
function copyBinaries() {
  for (const entry of fs.readdirSync(npmDir, { withFileTypes: true })) {
    if (!entry.isDirectory()) continue;
    const dir = path.join(npmDir, entry.name);
    const { main } = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8'));
    const built = path.join(nativeDir, main);
    if (!fs.existsSync(built)) continue;
    const temporary = path.join(dir, `.${main}.${process.pid}`);
    fs.copyFileSync(built, temporary);
    fs.renameSync(temporary, path.join(dir, main));
  }
}

/** The platform packages whose binary is present, as `{ dir, name, version }`. */
function platformPackages() {
  const found = [];
  for (const entry of fs.readdirSync(npmDir, { withFileTypes: true })) {
    if (!entry.isDirectory()) continue;
    const dir = path.join(npmDir, entry.name);
    const manifest = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8'));
    if (!fs.existsSync(path.join(dir, manifest.main))) {
      console.warn(`cello: no ${manifest.main} for ${manifest.name}; not packed`);
      continue;
    }
    found.push({ dir, name: manifest.name, version: manifest.version });
  }
  return found;
}

/**
 * Packs `@cello/native` from a staging copy whose package.json names the
 * platform packages as optional dependencies (what `napi pre-publish` does). The
 * repo's own package.json must not: `npm ci` here would fetch them from the
 * registry.
 */
function packNative(platforms) {
  const manifest = JSON.parse(fs.readFileSync(path.join(nativeDir, 'package.json'), 'utf8'));
  const staging = fs.mkdtempSync(path.join(os.tmpdir(), 'cello-native-pack-'));
  try {
    for (const file of manifest.files) {
      fs.copyFileSync(path.join(nativeDir, file), path.join(staging, file));
    }
    manifest.optionalDependencies = Object.fromEntries(
      platforms.map((platform) => {
        if (platform.version !== manifest.version) {
          throw new Error(
            `${platform.name} is at ${platform.version} but @cello/native at ${manifest.version}; ` +
              'run `npx napi version` in native/',
          );
        }
        return [platform.name, platform.version];
      }),
    );
    fs.writeFileSync(path.join(staging, 'package.json'), JSON.stringify(manifest, null, 2) + '\n');
    pack([staging]);
  } finally {
    fs.rmSync(staging, { recursive: true, force: true });
  }
}

function main() {
  const nativeOnly = process.argv.includes('--native-only');
  if (!nativeOnly) run(npm, ['run', 'build']);
  // Release build of the binding and its loader, skipped when up to date.
  run(process.execPath, [path.join(__dirname, 'build-native.js')]);
  copyBinaries();

  // Stale tarballs go first, so the folder holds exactly this run's packages.
  fs.mkdirSync(packsDir, { recursive: true });
  for (const file of fs.readdirSync(packsDir)) {
    if (file.endsWith('.tgz')) fs.rmSync(path.join(packsDir, file));
  }
  console.log(`cello: packing into ${path.relative(root, packsDir)}/`);
  if (!nativeOnly) {
    for (const lib of libs) {
      if (!fs.existsSync(path.join(root, 'libs', lib, 'package.json'))) {
        throw new Error(
          `libs/${lib} has no package.json yet; \`--native-only\` packs the native packages alone`,
        );
      }
      pack(['--workspace', `libs/${lib}`]);
    }
  }
  const platforms = platformPackages();
  packNative(platforms);
  for (const platform of platforms) pack([platform.dir]);
}

main();
