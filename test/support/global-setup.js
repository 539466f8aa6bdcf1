// Runs once before jest's workers start: finds (or starts) PostgreSQL and
// hands its admin URL to the workers through the environment.
'use strict';

const { ensurePostgres } = require('../../scripts/ensure-postgres');

module.exports = async function globalSetup() {
  process.env.CELLO_TEST_PG_ADMIN_URL = await ensurePostgres();
};
