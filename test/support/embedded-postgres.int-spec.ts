import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { freePort } from './free-port';
import { findPostgres, stopEmbeddedPostgres, type EmbeddedPlace } from './provisioning';

// The third step of the PostgreSQL lookup, for real: the local server is skipped
// (the shared one on 5432 stays untouched) and the embedded server from the
// npm registry is started on a port and in a folder of the test's own.
describe('the embedded PostgreSQL fallback', () => {
  const dirs: string[] = [];
  let place: EmbeddedPlace;
  const lines: string[] = [];
  const status = (service: string, message: string) => lines.push(`${service}: ${message}`);

  async function freshPlace(osUser?: string): Promise<EmbeddedPlace> {
    const dir = mkdtempSync(join(tmpdir(), 'cello-embedded-spec-'));
    dirs.push(dir);
    return { dir, port: await freePort(), ...(osUser ? { osUser } : {}) };
  }

  async function serverInfo(url: string): Promise<{ version: string; user: string }> {
    const client = new Client({ connectionString: url });
    await client.connect();
    try {
      const name = `embedded_spec_${Date.now()}`;
      await client.query(`CREATE DATABASE ${name}`);
      await client.query(`DROP DATABASE ${name}`);
      const { rows } = await client.query<{ version: string; user: string }>(
        'SELECT version(), current_user AS user',
      );
      return rows[0];
    } finally {
      await client.end();
    }
  }

  // DATABASE_URL would come first: this file is about the step after it.
  const saved = process.env.DATABASE_URL;

  beforeAll(async () => {
    delete process.env.DATABASE_URL;
    place = await freshPlace();
  });

  afterAll(() => {
    if (saved !== undefined) process.env.DATABASE_URL = saved;
    for (const dir of dirs) {
      try {
        stopEmbeddedPostgres({ dir });
      } catch {
        // Not started, or already stopped.
      }
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('starts a server where the cello user may create databases, on 127.0.0.1 only', async () => {
    // When
    const found = await findPostgres({ local: false, embedded: place, status });
    // Then
    expect(found).toEqual({
      url: `postgres://cello:cello@127.0.0.1:${place.port}/postgres`,
      embedded: true,
    });
    const info = await serverInfo(found.url);
    expect(info.version).toMatch(/^PostgreSQL \d+/);
    expect(info.user).toBe('cello');
    expect(lines).toEqual([
      expect.stringMatching(
        new RegExp(
          `^postgres: initialised and started embedded PostgreSQL .* on port ${place.port}.*\\(local server skipped\\)$`,
        ),
      ),
    ]);
  }, 180_000);

  it('finds the running server at once the second time', async () => {
    // Given
    lines.length = 0;
    // When
    const started = Date.now();
    const found = await findPostgres({ local: false, embedded: place, status });
    // Then
    expect(found.url).toBe(`postgres://cello:cello@127.0.0.1:${place.port}/postgres`);
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(lines).toEqual([
      `postgres: embedded server already running on port ${place.port} (local server skipped)`,
    ]);
  }, 60_000);

  it('starts a stopped server again with its data, without initialising it anew', async () => {
    // Given
    const client = new Client({
      connectionString: `postgres://cello:cello@127.0.0.1:${place.port}/postgres`,
    });
    await client.connect();
    await client.query('CREATE TABLE kept (id int)');
    await client.end();
    expect(stopEmbeddedPostgres(place)).toBe(true);
    lines.length = 0;
    // When
    const found = await findPostgres({ local: false, embedded: place, status });
    // Then
    expect(lines).toEqual([expect.stringMatching(/^postgres: started embedded PostgreSQL /)]);
    const again = new Client({ connectionString: found.url });
    await again.connect();
    const { rows } = await again.query("SELECT to_regclass('kept') IS NOT NULL AS kept");
    await again.end();
    expect(rows[0].kept).toBe(true);
  }, 180_000);

  it('initialises and starts once when several processes ask at the same time', async () => {
    // Given
    const shared = await freshPlace();
    lines.length = 0;
    // When
    const found = await Promise.all(
      [1, 2, 3].map(() => findPostgres({ local: false, embedded: shared, status })),
    );
    // Then
    expect(new Set(found.map((f) => f.url))).toEqual(
      new Set([`postgres://cello:cello@127.0.0.1:${shared.port}/postgres`]),
    );
    expect(lines.filter((line) => line.includes('initialised'))).toHaveLength(1);
    expect(lines.filter((line) => line.includes('already running'))).toHaveLength(2);
  }, 180_000);

  it('runs as nobody when root has no postgres OS user to run it as', async () => {
    // Given
    const other = await freshPlace('nobody');
    // When
    const found = await findPostgres({ local: false, embedded: other, status });
    // Then
    expect((await serverInfo(found.url)).user).toBe('cello');
    const dataDir = readdirSync(other.dir).find((name) => name.startsWith('data-'))!;
    // Unprivileged, the server runs as the caller and the option is moot.
    const owner = process.getuid?.() === 0 ? 65534 : process.getuid?.();
    expect(statSync(join(other.dir, dataDir)).uid).toBe(owner);
  }, 180_000);
});
