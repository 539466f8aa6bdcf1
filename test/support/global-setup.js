// Runs once before jest's workers start: finds or provisions PostgreSQL,
// MySQL/MariaDB, Chromium and NATS (scripts/ensure-*.js, one status line each) and
// hands what it found to the workers through the environment.
'use strict';

const { findPostgres } = require('../../scripts/ensure-postgres');
const { ensureMysql } = require('../../scripts/ensure-mysql');
const { ensureChromium } = require('../../scripts/ensure-chromium');
const { ensureNats } = require('../../scripts/ensure-nats');
const { embeddedServerTools } = require('../../scripts/embedded-postgres');

// Every test file needs PostgreSQL: without it the run fails here, saying why.
// MySQL, Chromium and NATS are needed by some files only: when one cannot be had,
// those files fail with the reason (useMysqlDatabase, launchBrowser) and the
// others still run.
module.exports = async function globalSetup() {
  process.stderr.write('\n');
  const postgres = await findPostgres();
  process.env.CELLO_TEST_PG_ADMIN_URL = postgres.url;
  if (postgres.embedded) {
    // Tests that run servers of their own (test/support/private-postgres.ts)
    // use the embedded binaries when the machine has none.
    const { binDir, osUser } = embeddedServerTools();
    process.env.CELLO_TEST_PG_BIN_DIR = binDir;
    if (osUser) process.env.CELLO_TEST_PG_OS_USER = osUser;
  }
  try {
    process.env.CELLO_TEST_MYSQL_ADMIN_URL = await ensureMysql();
  } catch (error) {
    process.env.CELLO_TEST_MYSQL_ERROR = error.message;
    process.stderr.write(`cello: mysql: ${error.message}\n`);
  }
  try {
    process.env.CELLO_TEST_CHROMIUM_PATH = await ensureChromium();
  } catch (error) {
    process.env.CELLO_TEST_CHROMIUM_ERROR = error.message;
    process.stderr.write(`cello: chromium: ${error.message}\n`);
  }
  try {
    process.env.CELLO_TEST_NATS_URL = await ensureNats();
  } catch (error) {
    process.env.CELLO_TEST_NATS_ERROR = error.message;
    process.stderr.write(`cello: nats: ${error.message}\n`);
  }
};
