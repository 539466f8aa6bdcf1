// Runs once before jest's workers start: finds (or starts) PostgreSQL and
// MySQL/MariaDB and hands their admin URLs to the workers through the environment.
'use strict';

const { ensurePostgres } = require('../../scripts/ensure-postgres');
const { ensureMysql } = require('../../scripts/ensure-mysql');

module.exports = async function globalSetup() {
  process.env.CELLO_TEST_PG_ADMIN_URL = await ensurePostgres();
  // MySQL is needed only by the MySQL test files: when it cannot be reached,
  // those files fail with the reason (useMysqlDatabase), the others still run.
  try {
    process.env.CELLO_TEST_MYSQL_ADMIN_URL = await ensureMysql();
  } catch (error) {
    process.env.CELLO_TEST_MYSQL_ERROR = error.message;
  }
};
