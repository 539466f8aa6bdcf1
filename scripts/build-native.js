#!/usr/bin/env node
// Builds the napi-rs binding in release mode on `npm install`/`npm ci`.
// Skips the build when the Rust sources have not changed since the last one,
// so a second install costs nothing. `--force` always rebuilds.
'use strict';

const { execFileSync, spawnSync } = require('node:child_process');
const { createHash } = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const nativeDir = path.join(root, 'native');
const stampFile = path.join(nativeDir, '.build-stamp');
const binaryFile = path.join(nativeDir, 'cello-native.linux-x64-gnu.node');
const loaderFile = path.join(nativeDir, 'index.js');

function hasCargo() {
  const result = spawnSync('cargo', ['--version'], { stdio: 'ignore' });
  return result.status === 0;
}

// Every file that can change the binary: sources, manifests, the lock file.
function sourceFiles(dir) {
  const files = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === 'target' || entry.name.startsWith('.')) continue;
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) files.push(...sourceFiles(full));
    else if (/\.(rs|toml|lock)$/.test(entry.name)) files.push(full);
  }
  return files.sort();
}

function sourceHash() {
  const hash = createHash('sha256');
  // package.json too: the generated loader embeds its version.
  for (const file of [...sourceFiles(nativeDir), path.join(nativeDir, 'package.json')]) {
    hash.update(path.relative(nativeDir, file));
    hash.update(fs.readFileSync(file));
  }
  return hash.digest('hex');
}

function main() {
  const force = process.argv.includes('--force');
  if (!hasCargo()) {
    console.error(
      'cello: cargo was not found; install the Rust toolchain (https://rustup.rs) and run npm install again.',
    );
    process.exit(1);
  }
  const hash = sourceHash();
  const built =
    fs.existsSync(binaryFile) &&
    fs.existsSync(loaderFile) &&
    fs.existsSync(stampFile) &&
    fs.readFileSync(stampFile, 'utf8') === hash;
  if (built && !force) {
    console.log('cello: native binding is up to date');
    return;
  }
  console.log('cello: building the native binding (release)...');
  const napi = path.join(root, 'node_modules', '.bin', 'napi');
  execFileSync(
    napi,
    [
      'build',
      '--platform',
      '--release',
      '--manifest-path',
      path.join(nativeDir, 'crates', 'binding', 'Cargo.toml'),
      '--package-json-path',
      path.join(nativeDir, 'package.json'),
      '--output-dir',
      nativeDir,
      '--js',
      'index.js',
      '--dts',
      'index.d.ts',
    ],
    { stdio: 'inherit', cwd: root },
  );
  fs.writeFileSync(stampFile, hash);
}

main();
