import { randomBytes } from 'node:crypto';

/** A database made for one test file, dropped when the file is done. */
export interface TestDatabase {
  /** Connection URL of the fresh database. */
  readonly url: string;
  /** Its name, `cello_t_<file>_<random>`. */
  readonly name: string;
  drop(): Promise<void>;
}

/** A fresh database name, `cello_t_<label slug>_<random>`, easy to spot on the server. */
export function testDatabaseName(label: string): string {
  const slug = label
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .slice(0, 30);
  return `cello_t_${slug}_${randomBytes(4).toString('hex')}`;
}

/**
 * Gives the calling test file its own database from `create`: made in `beforeAll`
 * (labelled with the file name), dropped in `afterAll`. Read `.url` inside tests or hooks.
 */
export function useTestDatabase(
  label: string,
  create: (label: string) => Promise<TestDatabase>,
): { readonly url: string } {
  let database: TestDatabase | undefined;
  beforeAll(async () => {
    database = await create(label.split('/').pop()?.replace(/\..*$/, '') ?? 'test');
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
