#!/usr/bin/env node
// Finds a PostgreSQL server for tests and benchmarks, the same way for both:
// 1. DATABASE_URL, when set, is used as it is.
// 2. Otherwise postgres://cello:cello@127.0.0.1:5432/postgres; a local Debian
//    cluster that is installed but stopped is started, and the `cello` role is
//    created through the postgres OS user (the socket uses peer auth, so root
//    cannot log in directly).
// It never skips silently: when nothing can be reached it throws, saying how
// to provide a server.
'use strict';

const { execFileSync, spawnSync } = require('node:child_process');
const { Client } = require('pg');

const DEFAULT_URL = 'postgres://cello:cello@127.0.0.1:5432/postgres';
const HOW_TO =
  'Set DATABASE_URL to a PostgreSQL server where the user may CREATE DATABASE ' +
  '(e.g. postgres://user:pass@127.0.0.1:5432/postgres), or install PostgreSQL ' +
  '(apt-get install postgresql) so that the test harness can start it.';

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

function commandExists(cmd) {
  return spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;
}

function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

// Starts every stopped Debian cluster; `pg_ctlcluster` exits 2 when one already runs.
async function startLocalClusters() {
  if (!commandExists('pg_lsclusters')) return false;
  const lines = execFileSync('pg_lsclusters', ['--no-header'], { encoding: 'utf8' })
    .split('\n')
    .filter(Boolean);
  let started = false;
  for (const line of lines) {
    const [version, name, , status] = line.trim().split(/\s+/);
    if (status !== 'online') {
      spawnSync('pg_ctlcluster', [version, name, 'start'], { stdio: 'ignore' });
      started = true;
    }
  }
  for (let i = 0; i < 60; i++) {
    if (spawnSync('pg_isready', ['-h', '127.0.0.1', '-q']).status === 0) return true;
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

/** Resolves to a URL of a database where the user may create databases. */
async function ensurePostgres() {
  if (process.env.DATABASE_URL) {
    const err = await tryConnect(process.env.DATABASE_URL);
    if (err) {
      throw new Error(`cannot reach PostgreSQL at DATABASE_URL (${err.message}). ${HOW_TO}`);
    }
    return process.env.DATABASE_URL;
  }
  let err = await tryConnect(DEFAULT_URL);
  if (err && (err.code === 'ECONNREFUSED' || /ECONNREFUSED|timeout/i.test(err.message))) {
    await startLocalClusters();
    err = await tryConnect(DEFAULT_URL);
  }
  if (err && (err.code === '28P01' || err.code === '28000' || err.code === '3D000')) {
    createDefaultRole();
    err = await tryConnect(DEFAULT_URL);
  }
  if (err) {
    throw new Error(
      `no PostgreSQL reachable at ${redactSecrets(DEFAULT_URL)} (${err.message}). ${HOW_TO}`,
    );
  }
  return DEFAULT_URL;
}

module.exports = { ensurePostgres };

if (require.main === module) {
  ensurePostgres().then(
    (url) => console.log(redactSecrets(url)),
    (err) => {
      console.error(`cello: ${redactSecrets(err.message)}`);
      process.exit(1);
    },
  );
}
