import { randomBytes } from 'node:crypto';
import { Client } from 'pg';

/** A database made for one test file, dropped when the file is done. */
export interface TestDatabase {
  /** Connection URL of the fresh database. */
  readonly url: string;
  /** Its name, `cello_t_<file>_<random>`. */
  readonly name: string;
  drop(): Promise<void>;
}

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
  const slug = label
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .slice(0, 30);
  const name = `cello_t_${slug}_${randomBytes(4).toString('hex')}`;
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
  let database: TestDatabase | undefined;
  beforeAll(async () => {
    database = await createTestDatabase(label.split('/').pop()?.replace(/\..*$/, '') ?? 'test');
  });
  afterAll(async () => {
    await database?.drop();
  });
  return {
    get url(): string {
      if (!database) throw new Error('the test database exists only inside tests and hooks');
      return database.url;
    },
  };
}
