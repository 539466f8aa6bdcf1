#!/usr/bin/env node
// Finds a MySQL or MariaDB server for tests and benchmarks:
// 1. MYSQL_URL, when set, is used as it is.
// 2. Otherwise mysql://cello:cello@127.0.0.1:3306/mysql; a local MariaDB that
//    is installed but stopped is started (/etc/init.d/mariadb, no systemd
//    needed), and the `cello` user is created through the root socket (root
//    authenticates by unix socket, so only the `mariadb` client can log in).
// 3. Otherwise, when no server is installed, running as root with apt-get and
//    CELLO_TEST_NO_INSTALL unset: Debian's mariadb-server is installed, then as 2.
// It prints one status line saying what it used, and never skips silently: when
// nothing can be reached it throws, saying how to provide a server.
'use strict';

const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const mysql = require('mysql2/promise');
const {
  aptInstall,
  commandExists,
  currentAptDecision,
  sleep,
  status,
} = require('./provision-support');

const DEFAULT_URL = 'mysql://cello:cello@127.0.0.1:3306/mysql';
const HOW_TO =
  'Set MYSQL_URL to a MySQL 8 or MariaDB 10.6+ server where the user may CREATE DATABASE ' +
  '(e.g. mysql://user:pass@127.0.0.1:3306/mysql), or install MariaDB ' +
  '(apt-get install mariadb-server) so that the test harness can start it.';

/**
 * @cello/core's redactSecrets, loaded only when something is printed: the
 * harness requires this file inside jest, whose module hooks it should not share.
 */
function redactSecrets(text) {
  require('./register-ts.js');
  return require('../libs/core/src/redaction/redact-secrets.ts').redactSecrets(text);
}

async function tryConnect(url) {
  let connection;
  try {
    connection = await mysql.createConnection({ uri: url, connectTimeout: 3000 });
    await connection.query('SELECT 1');
    return null;
  } catch (err) {
    return err;
  } finally {
    await connection?.end().catch(() => undefined);
  }
}

function initScript() {
  return ['/etc/init.d/mariadb', '/etc/init.d/mysql'].find((script) => fs.existsSync(script));
}

// Starts the local server through its init script, when it does not answer, and
// waits until it does; resolves to whether it started it.
async function startLocalServer() {
  const script = initScript();
  if (!script) return false;
  const admin = commandExists('mariadb-admin') ? 'mariadb-admin' : 'mysqladmin';
  const answers = () => spawnSync(admin, ['ping', '--silent'], { stdio: 'ignore' }).status === 0;
  if (answers()) return false;
  spawnSync(script, ['start'], { stdio: 'ignore', timeout: 60_000 });
  for (let i = 0; i < 120; i++) {
    if (answers()) return true;
    await sleep(250);
  }
  return false;
}

// Creates the `cello` user with every privilege, logged in as root through the socket.
function createDefaultUser() {
  if (process.getuid?.() !== 0) return false;
  const client = commandExists('mariadb') ? 'mariadb' : 'mysql';
  const sql =
    "CREATE USER IF NOT EXISTS 'cello'@'127.0.0.1' IDENTIFIED BY 'cello';" +
    "CREATE USER IF NOT EXISTS 'cello'@'localhost' IDENTIFIED BY 'cello';" +
    "GRANT ALL PRIVILEGES ON *.* TO 'cello'@'127.0.0.1' WITH GRANT OPTION;" +
    "GRANT ALL PRIVILEGES ON *.* TO 'cello'@'localhost' WITH GRANT OPTION;" +
    'FLUSH PRIVILEGES;';
  return spawnSync(client, ['-uroot'], { input: sql, encoding: 'utf8' }).status === 0;
}

// ER_DBACCESS_DENIED_ERROR, ER_ACCESS_DENIED_ERROR, ER_ACCESS_DENIED_NO_PASSWORD_ERROR.
const ACCESS_DENIED = new Set([1044, 1045, 1698]);

/**
 * Resolves to a URL of a MySQL/MariaDB server where the user may create databases.
 * For tests of the steps: `options.url` replaces the default URL, `options.installed`
 * says whether a server is installed, `options.decision` and `options.install`
 * replace the apt decision and the install itself.
 */
async function ensureMysql(options = {}) {
  const report = options.status ?? status;
  if (process.env.MYSQL_URL) {
    const err = await tryConnect(process.env.MYSQL_URL);
    if (err) throw new Error(`cannot reach MySQL at MYSQL_URL (${err.message}). ${HOW_TO}`);
    report('mysql', 'using MYSQL_URL');
    return process.env.MYSQL_URL;
  }
  const url = options.url ?? DEFAULT_URL;
  const did = [];
  let err = await tryConnect(url);
  const installed = options.installed ?? Boolean(initScript());
  if (err && !ACCESS_DENIED.has(err.errno) && !installed) {
    const decision = options.decision ?? currentAptDecision();
    if (!decision.install) {
      throw new Error(
        `no MySQL/MariaDB reachable at ${redactSecrets(url)} (${err.message}) and none installed; ` +
          `not installing mariadb-server: ${decision.reason}. ${HOW_TO}`,
      );
    }
    await (options.install ?? (() => aptInstall(['mariadb-server'])))();
    did.push('installed mariadb-server with apt-get');
  }
  if (err && !ACCESS_DENIED.has(err.errno)) {
    if (await startLocalServer()) did.push('started it');
    err = await tryConnect(url);
  }
  if (err && ACCESS_DENIED.has(err.errno)) {
    if (createDefaultUser()) did.push('created the cello user');
    err = await tryConnect(url);
  }
  const done = did.length ? ` (${did.join(', ')})` : '';
  if (err) {
    throw new Error(
      `no MySQL/MariaDB reachable at ${redactSecrets(url)}${done} (${err.message}). ${HOW_TO}`,
    );
  }
  report('mysql', `using the local server at ${new URL(url).host}${done}`);
  return url;
}

module.exports = { ensureMysql };

if (require.main === module) {
  ensureMysql().then(
    (url) => console.log(redactSecrets(url)),
    (err) => {
      console.error(`cello: ${redactSecrets(err.message)}`);
      process.exit(1);
    },
  );
}
