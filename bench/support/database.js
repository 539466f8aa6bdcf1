// Fresh databases for measurements, on the server the tests use.
'use strict';

const { randomBytes } = require('node:crypto');
const { Client } = require('pg');

async function withClient(url, work) {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** Creates an empty database named after the workload; resolves to its URL and a `drop()`. */
async function createBenchDatabase(adminUrl, label) {
  const name = `cello_b_${label.replace(/[^a-z0-9]+/g, '_').slice(0, 30)}_${randomBytes(3).toString('hex')}`;
  await withClient(adminUrl, (client) => client.query(`CREATE DATABASE "${name}"`));
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    checkpoint: () => withClient(adminUrl, (client) => client.query('CHECKPOINT')),
    drop: () =>
      withClient(adminUrl, (client) =>
        client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`),
      ),
  };
}

/** Server facts for the report: version and the settings that decide write speed. */
async function describeServer(adminUrl) {
  return withClient(adminUrl, async (client) => {
    const version = (await client.query('SHOW server_version')).rows[0].server_version;
    const settings = {};
    for (const name of [
      'fsync',
      'synchronous_commit',
      'shared_buffers',
      'wal_level',
      'max_connections',
    ]) {
      settings[name] = (await client.query(`SHOW ${name}`)).rows[0][name];
    }
    return { version, settings };
  });
}

module.exports = { createBenchDatabase, describeServer };
