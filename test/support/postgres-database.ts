import { Client } from 'pg';
import { testDatabaseName, useTestDatabase, type TestDatabase } from './test-database';

export type { TestDatabase } from './test-database';

function adminUrl(): string {
  const url = process.env.CELLO_TEST_PG_ADMIN_URL;
  if (!url) {
    throw new Error('CELLO_TEST_PG_ADMIN_URL is not set: run the tests through jest (npm test).');
  }
  return url;
}

async function withAdmin<T>(work: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: adminUrl() });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** Creates a fresh, empty database; `label` (e.g. the file name) makes it easy to spot. */
export async function createTestDatabase(label = 'test'): Promise<TestDatabase> {
  const name = testDatabaseName(label);
  await withAdmin((client) => client.query(`CREATE DATABASE "${name}"`));
  const url = new URL(adminUrl());
  url.pathname = `/${name}`;
  return {
    name,
    url: url.toString(),
    drop: () =>
      withAdmin((client) => client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`)).then(
        () => undefined,
      ),
  };
}

/**
 * Gives the calling test file its own database: created in `beforeAll`,
 * dropped in `afterAll`. Read `.url` inside tests or hooks, not at load time.
 */
export function usePostgresDatabase(label = expect.getState().testPath ?? 'test'): {
  readonly url: string;
} {
  return useTestDatabase(label, createTestDatabase);
}

/**
 * A connected client on a test database. It ignores connection errors: the harness
 * drops the database with FORCE after the file, which may cut the connection first.
 */
export async function connectToTestDatabase(url: string): Promise<Client> {
  const client = new Client({ connectionString: url });
  client.on('error', () => undefined);
  await client.connect();
  return client;
}
