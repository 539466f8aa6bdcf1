import { Client } from 'pg';
import { createTestDatabase, usePostgresDatabase } from './postgres-database';

describe('the PostgreSQL test harness', () => {
  const database = usePostgresDatabase();

  async function query<T extends object>(url: string, sql: string): Promise<T[]> {
    const client = new Client({ connectionString: url });
    await client.connect();
    try {
      return (await client.query<T>(sql)).rows;
    } finally {
      await client.end();
    }
  }

  it('gives the test file a real, empty PostgreSQL database of its own', async () => {
    const [row] = await query<{ version: string; tables: string }>(
      database.url,
      "SELECT version(), (SELECT count(*) FROM pg_tables WHERE schemaname = 'public') AS tables",
    );
    expect(row.version).toMatch(/^PostgreSQL \d+/);
    expect(Number(row.tables)).toBe(0);
  });

  it('keeps databases apart and drops them afterwards', async () => {
    // Given
    const other = await createTestDatabase('isolation');
    await query(database.url, 'CREATE TABLE only_here (id int)');
    // When
    const seenElsewhere = await query<{ n: string }>(
      other.url,
      "SELECT count(*) AS n FROM pg_tables WHERE tablename = 'only_here'",
    );
    await other.drop();
    // Then
    expect(Number(seenElsewhere[0].n)).toBe(0);
    const left = await query<{ n: string }>(
      process.env.CELLO_TEST_PG_ADMIN_URL!,
      `SELECT count(*) AS n FROM pg_database WHERE datname = '${other.name}'`,
    );
    expect(Number(left[0].n)).toBe(0);
  });
});
