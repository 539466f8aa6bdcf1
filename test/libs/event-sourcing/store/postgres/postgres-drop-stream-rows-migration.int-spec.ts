import { randomUUID } from 'node:crypto';
import { isCelloError } from '@cello/core';
import { Client } from 'pg';
import type { QueryRunner } from 'typeorm';
import { usePostgresDatabase } from '../../../../support/postgres-database';
import { ConcurrencyError } from '@cello/event-sourcing/errors/concurrency.error';
import { DropStreamRows1796700000000 } from '@cello/event-sourcing/store/postgres/migrations/drop-stream-rows.migration';
import { PostgresEventStorage } from '@cello/event-sourcing/store/postgres/postgres-event-storage';
import type { PostgresTables } from '@cello/event-sourcing/store/postgres/postgres-tables';

/**
 * A database made by the previous release (stream rows, append functions that
 * read them) migrated to appends without stream rows, while instances of the
 * previous release may still call the old functions.
 */
describe('PostgreSQL event store migration to appends without stream rows', () => {
  const db = usePostgresDatabase();
  let sql: Client;

  beforeEach(async () => {
    sql = new Client({ connectionString: db.url });
    await sql.connect();
  });

  afterEach(async () => {
    await sql.end();
  });

  const event = () => ({
    id: randomUUID(),
    type: 'Migrated',
    data: JSON.stringify({ n: 1 }),
  });

  /** The old append function, as an instance of the previous release calls it. */
  async function oldAppend(
    tables: PostgresTables,
    streamId: string,
    expected: number,
    count: number,
  ): Promise<{ outcomes: number[]; stream_versions: string[] }> {
    const events = Array.from({ length: count }, event);
    const result = await sql.query<{ outcomes: number[]; stream_versions: string[] }>(
      `SELECT outcomes, stream_versions FROM ${tables.appendFunction}($1, $2, $3, $4, $5, $6, $7, $8)`,
      [
        [streamId],
        [expected],
        [count],
        events.map((e) => e.id),
        events.map((e) => e.type),
        events.map(() => 1),
        events.map((e) => e.data),
        events.map(() => '{}'),
      ],
    );
    return result.rows[0];
  }

  it('should keep every stream version, trust no stream row, and keep old callers correct', async () => {
    // Given a database at the previous schema: migrated, then the last migration undone
    const schema = `migrate_${randomUUID().slice(0, 8)}`;
    const previous = PostgresEventStorage.fromUrl(db.url, { schema, poolSize: 2 });
    await previous.init();
    await previous.close();
    const tables = previous.tables;
    const runner = { query: (text: string) => sql.query(text) } as unknown as QueryRunner;
    await new DropStreamRows1796700000000(tables).down(runner);
    await sql.query(`DELETE FROM "${schema}".cello_migrations WHERE name = $1`, [
      'DropStreamRows1796700000000',
    ]);
    // ...with streams written by the previous release's function, and one stream row that lies
    const [a, b] = [`a-${randomUUID()}`, `b-${randomUUID()}`];
    expect((await oldAppend(tables, a, 0, 3)).outcomes).toEqual([0]);
    expect((await oldAppend(tables, b, 0, 2)).outcomes).toEqual([0]);
    await sql.query(`UPDATE ${tables.streams} SET version = 9 WHERE stream_id = $1`, [b]);

    // When this release starts on it
    const storage = PostgresEventStorage.fromUrl(db.url, { schema, poolSize: 2 });
    try {
      await storage.init();

      // Then versions come from the events, not from the stream rows
      expect(await storage.streamVersion(a)).toBe(3);
      expect(await storage.streamVersion(b)).toBe(2);
      const anEvent = () => ({
        eventId: randomUUID(),
        type: 'Migrated',
        schemaVersion: 1,
        data: '{}',
        metadata: '{}',
      });
      expect((await storage.append(a, [anEvent()], 3)).streamVersion).toBe(4);
      const stale = await storage.append(b, [anEvent()], 9).catch((error: unknown) => error);
      expect(isCelloError(stale, ConcurrencyError.code)).toBe(true);
      expect((await storage.append(b, [anEvent()], 2)).streamVersion).toBe(3);

      // ...and an instance of the previous release, calling the old function, sees the same
      expect(await oldAppend(tables, a, 4, 1)).toEqual({ outcomes: [0], stream_versions: ['5'] });
      expect(await oldAppend(tables, a, 4, 1)).toEqual({ outcomes: [2], stream_versions: ['5'] });
      const row = await sql.query<{ version: string }>(
        `SELECT version FROM ${tables.streams} WHERE stream_id = $1`,
        [b],
      );
      expect(row.rows[0].version).toBe('3');
      const stored = await storage.readStream(a);
      expect(stored.map((e) => e.version)).toEqual([1, 2, 3, 4, 5]);
    } finally {
      await storage.close();
    }
  });
});
