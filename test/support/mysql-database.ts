import { createConnection, type Connection } from 'mysql2/promise';
import { testDatabaseName, useTestDatabase, type TestDatabase } from './test-database';

function adminUrl(): string {
  const url = process.env.CELLO_TEST_MYSQL_ADMIN_URL;
  if (url) return url;
  const reason = process.env.CELLO_TEST_MYSQL_ERROR;
  throw new Error(
    reason ??
      'CELLO_TEST_MYSQL_ADMIN_URL is not set: run the tests through jest (npm test), ' +
        'or set MYSQL_URL to a MySQL/MariaDB server where the user may CREATE DATABASE.',
  );
}

async function withAdmin<T>(work: (connection: Connection) => Promise<T>): Promise<T> {
  const connection = await createConnection({ uri: adminUrl() });
  try {
    return await work(connection);
  } finally {
    await connection.end();
  }
}

/** Creates a fresh, empty MySQL database; `label` (e.g. the file name) makes it easy to spot. */
export async function createMysqlTestDatabase(label = 'test'): Promise<TestDatabase> {
  const name = testDatabaseName(label);
  await withAdmin((connection) =>
    connection.query(`CREATE DATABASE \`${name}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_bin`),
  );
  const url = new URL(adminUrl());
  url.pathname = `/${name}`;
  return {
    name,
    url: url.toString(),
    drop: () =>
      withAdmin((connection) => connection.query(`DROP DATABASE IF EXISTS \`${name}\``)).then(
        () => undefined,
      ),
  };
}

/**
 * Gives the calling test file its own MySQL database: created in `beforeAll`,
 * dropped in `afterAll`. Read `.url` inside tests or hooks, not at load time.
 */
export function useMysqlDatabase(label = expect.getState().testPath ?? 'test'): {
  readonly url: string;
} {
  return useTestDatabase(label, createMysqlTestDatabase);
}
