import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:net';
import { isCelloError } from '@cello/core';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { usePostgresDatabase } from '../../../../support/postgres-database';
import { EventStoreUnavailableError } from '@cello/event-sourcing/errors/event-store-unavailable.error';
import { InvalidStorageOptionError } from '@cello/event-sourcing/errors/invalid-storage-option.error';
import type { EventToAppend } from '@cello/event-sourcing/store/event-storage';
import { PostgresEventStorage } from '@cello/event-sourcing/store/postgres/postgres-event-storage';

describe('PostgresEventStorage setup', () => {
  const db = usePostgresDatabase();

  async function sql<R extends Record<string, unknown>>(text: string, values?: unknown[]) {
    const client = new Client({ connectionString: db.url });
    await client.connect();
    try {
      return (await client.query<R>(text, values)).rows;
    } finally {
      await client.end();
    }
  }

  describe('when init runs', () => {
    it('should create the tables by a recorded migration, and do nothing the second time', async () => {
      // Given
      const storage = PostgresEventStorage.fromUrl(db.url);

      try {
        // When
        await storage.init();
        await storage.init();
        const again = PostgresEventStorage.fromUrl(db.url);
        await again.init();
        await again.close();

        // Then
        const migrations = await sql<{ name: string }>(
          'SELECT name FROM public.cello_migrations ORDER BY id',
        );
        expect(migrations.map((m) => m.name)).toEqual([
          'CreateEventStoreTables1764300000000',
          'AddFastAppendFunction1795837200000',
          'AddPackedAppendFunction1795848000000',
          'AllowUnstartedProcessorCheckpoint1796610700000',
          'DropStreamRows1796700000000',
        ]);
        const tables = await sql<{ table_name: string }>(
          "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' " +
            "AND table_name LIKE 'cello\\_%' ORDER BY table_name",
        );
        expect(tables.map((t) => t.table_name)).toEqual([
          'cello_events',
          'cello_migrations',
          'cello_parked_events',
          'cello_processors',
          'cello_snapshots',
          'cello_streams',
        ]);
      } finally {
        await storage.close();
      }
    });

    it('should migrate once when many instances start at the same time', async () => {
      // Given
      const schema = `race_${randomUUID().slice(0, 8)}`;
      const storages = Array.from({ length: 4 }, () =>
        PostgresEventStorage.fromUrl(db.url, { schema, poolSize: 2 }),
      );

      try {
        // When
        await Promise.all(storages.map((storage) => storage.init()));

        // Then
        const migrations = await sql(`SELECT name FROM "${schema}".cello_migrations`);
        expect(migrations).toHaveLength(5);
      } finally {
        await Promise.all(storages.map((storage) => storage.close()));
      }
    });

    it('should honour a custom schema and table prefix, apart from the defaults', async () => {
      // Given
      const custom = PostgresEventStorage.fromUrl(db.url, {
        schema: 'es_custom',
        tablePrefix: 'app_',
      });
      const plain = PostgresEventStorage.fromUrl(db.url);
      const streamId = `custom-${randomUUID()}`;

      try {
        await custom.init();
        await plain.init();

        // When
        await custom.append(streamId, [anEvent()], 'no_stream');

        // Then
        const tables = await sql<{ table_name: string }>(
          "SELECT table_name FROM information_schema.tables WHERE table_schema = 'es_custom' ORDER BY 1",
        );
        expect(tables.map((t) => t.table_name)).toEqual([
          'app_events',
          'app_migrations',
          'app_parked_events',
          'app_processors',
          'app_snapshots',
          'app_streams',
        ]);
        const rows = await sql('SELECT 1 FROM es_custom.app_events WHERE stream_id = $1', [
          streamId,
        ]);
        expect(rows).toHaveLength(1);
        expect(await plain.streamVersion(streamId)).toBe(0);
        expect(await custom.streamVersion(streamId)).toBe(1);
      } finally {
        await custom.close();
        await plain.close();
      }
    });

    it('should work with the longest schema and prefix names', async () => {
      // Given
      const schema = `s${'x'.repeat(54)}${randomUUID().slice(0, 8)}`;
      const tablePrefix = `${'p'.repeat(29)}_`;
      const writer = PostgresEventStorage.fromUrl(db.url, { schema, tablePrefix, poolSize: 1 });
      const reader = PostgresEventStorage.fromUrl(db.url, { schema, tablePrefix, poolSize: 1 });
      await writer.init();
      await reader.init();
      let woken = false;
      reader.onAppended(() => (woken = true));

      try {
        // When
        await waitFor(async () => {
          await writer.append(`long-${randomUUID()}`, [anEvent()], 'any');
          return woken;
        });

        // Then
        expect(schema).toHaveLength(63);
        expect(woken).toBe(true);
      } finally {
        await writer.close();
        await reader.close();
      }
    });

    it('should refuse a schema or prefix that is not a plain identifier', () => {
      expect(() => PostgresEventStorage.fromUrl(db.url, { schema: 'x"; DROP' })).toThrow(
        InvalidStorageOptionError,
      );
      expect(() => PostgresEventStorage.fromUrl(db.url, { tablePrefix: 'a-b' })).toThrow(
        /tablePrefix/,
      );
    });
  });

  describe('when built on an application DataSource', () => {
    it('should use its pg pool, open no second pool, and leave it open on close', async () => {
      // Given (connections of earlier tests may still be closing on the server: only the
      // client backends that start from now on are this test's)
      const [{ since }] = await sql<{ since: Date }>('SELECT clock_timestamp() AS since');
      const applicationName = `app-${randomUUID().slice(0, 8)}`;
      const dataSource = new DataSource({ type: 'postgres', url: db.url, applicationName });
      await dataSource.initialize();
      const storage = PostgresEventStorage.fromDataSource(dataSource, { tablePrefix: 'ds_' });

      try {
        // When
        await storage.init();
        await Promise.all(
          Array.from({ length: 8 }, () => storage.append(`ds-${randomUUID()}`, [anEvent()], 'any')),
        );

        // Then every connection of this database belongs to the application's pool
        const names = await sql<{ application_name: string }>(
          'SELECT DISTINCT application_name FROM pg_stat_activity ' +
            'WHERE datname = current_database() AND pid <> pg_backend_pid() ' +
            "AND backend_type = 'client backend' AND backend_start >= $1",
          [since],
        );
        expect(names.map((n) => n.application_name)).toEqual([applicationName]);
        await storage.close();
        expect(dataSource.isInitialized).toBe(true);
        expect(await dataSource.query('SELECT count(*)::int AS n FROM ds_events')).toEqual([
          { n: 8 },
        ]);
      } finally {
        await storage.close();
        await dataSource.destroy();
      }
    });

    it('should refuse a DataSource of another database type', () => {
      const dataSource = new DataSource({ type: 'mysql', url: 'mysql://u:p@127.0.0.1/x' });
      expect(() => PostgresEventStorage.fromDataSource(dataSource)).toThrow(/not "postgres"/);
    });
  });

  describe('when the database cannot be reached', () => {
    it('should fail init, appends and ping with EventStoreUnavailableError, without hanging', async () => {
      // Given a port nobody listens on
      const url = new URL(db.url);
      url.port = '1';
      const storage = PostgresEventStorage.fromUrl(url.toString(), { connectionTimeoutMs: 1000 });

      try {
        // When / Then
        const initError = await storage.init().catch((e: unknown) => e);
        expect(isCelloError(initError, EventStoreUnavailableError.code)).toBe(true);
        await expect(storage.append('s', [anEvent()], 'any')).rejects.toBeInstanceOf(
          EventStoreUnavailableError,
        );
        await expect(storage.ping()).rejects.toBeInstanceOf(EventStoreUnavailableError);
      } finally {
        await storage.close();
      }
    });

    it('should time out on a server that accepts but never answers', async () => {
      // Given a socket that swallows everything
      const server: Server = createServer(() => undefined);
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      const port = (server.address() as { port: number }).port;
      const storage = PostgresEventStorage.fromUrl(
        `postgres://cello:cello@127.0.0.1:${port}/none`,
        { connectionTimeoutMs: 500 },
      );

      try {
        // When / Then
        await expect(storage.init()).rejects.toBeInstanceOf(EventStoreUnavailableError);
      } finally {
        await storage.close();
        server.close();
      }
    });

    it('should come back by itself after its connections were cut', async () => {
      // Given a working storage and a second instance listening for appends
      const storage = PostgresEventStorage.fromUrl(db.url, { poolSize: 2 });
      const watcher = PostgresEventStorage.fromUrl(db.url, { poolSize: 1 });
      await storage.init();
      await watcher.init();
      let wakes = 0;
      watcher.onAppended(() => (wakes += 1));
      await waitFor(async () => {
        await storage.append(`cut-${randomUUID()}`, [anEvent()], 'any');
        return wakes > 0;
      });

      try {
        // When every connection to the database is terminated
        await sql(
          'SELECT pg_terminate_backend(pid) FROM pg_stat_activity ' +
            'WHERE datname = current_database() AND pid <> pg_backend_pid()',
        );

        // Then appends work again (a failure in between is an unavailable error, never a hang)
        const streamId = `cut-${randomUUID()}`;
        let stored = false;
        for (let attempt = 0; attempt < 20 && !stored; attempt++) {
          try {
            await storage.append(streamId, [anEvent()], 'any');
            stored = true;
          } catch (error) {
            expect(error).toBeInstanceOf(EventStoreUnavailableError);
            await sleep(100);
          }
        }
        expect(stored).toBe(true);
        await expect(storage.ping()).resolves.toBeUndefined();

        // And the other instance's listener reconnected and hears new appends
        const before = wakes;
        await waitFor(async () => {
          await storage.append(`cut-${randomUUID()}`, [anEvent()], 'any');
          return wakes > before;
        });
        expect(wakes).toBeGreaterThan(before);
      } finally {
        await storage.close();
        await watcher.close();
      }
    });
  });

  describe('when the storage is closed with appends in flight', () => {
    it('should finish them first, then refuse new ones', async () => {
      // Given
      const storage = PostgresEventStorage.fromUrl(db.url, { poolSize: 2 });
      await storage.init();
      const streams = Array.from({ length: 20 }, () => `close-${randomUUID()}`);

      // When
      const appends = streams.map((streamId) => storage.append(streamId, [anEvent()], 'no_stream'));
      await storage.close();

      // Then
      const outcomes = await Promise.allSettled(appends);
      expect(outcomes.every((o) => o.status === 'fulfilled')).toBe(true);
      await expect(storage.append('late', [anEvent()], 'any')).rejects.toBeInstanceOf(
        EventStoreUnavailableError,
      );
      const rows = await sql<{ n: number }>(
        'SELECT count(*)::int AS n FROM cello_events WHERE stream_id = ANY($1)',
        [streams],
      );
      expect(rows[0].n).toBe(20);
    });
  });

  describe('when another instance appends', () => {
    it('should wake this instance by NOTIFY', async () => {
      // Given
      const writer = PostgresEventStorage.fromUrl(db.url, { poolSize: 1 });
      const reader = PostgresEventStorage.fromUrl(db.url, { poolSize: 1 });
      await writer.init();
      await reader.init();
      let woken = false;
      const unsubscribe = reader.onAppended(() => (woken = true));

      try {
        // When
        await waitFor(async () => {
          await writer.append(`notify-${randomUUID()}`, [anEvent()], 'any');
          return woken;
        });

        // Then
        expect(woken).toBe(true);
      } finally {
        unsubscribe();
        await writer.close();
        await reader.close();
      }
    });
  });

  describe('when a checkpoint is reset while a holder runs', () => {
    it('should revoke the holder so it cannot write an old checkpoint over the reset', async () => {
      // Given
      const storage = PostgresEventStorage.fromUrl(db.url, { poolSize: 1 });
      await storage.init();
      const processor = `p-${randomUUID()}`;

      try {
        const lease = (await storage.acquireLease(processor, 'instance-a', 10_000))!;
        await storage.storeCheckpoint(lease, 50);

        // When
        await storage.resetCheckpoint(processor, 0);

        // Then
        expect(await storage.storeCheckpoint(lease, 51)).toBe(false);
        expect(await storage.renewLease(lease, 10_000)).toBeUndefined();
        const again = await storage.acquireLease(processor, 'instance-a', 10_000);
        expect(again).toMatchObject({ checkpoint: 0 });
        expect(again!.fencingToken).toBeGreaterThan(lease.fencingToken);
      } finally {
        await storage.close();
      }
    });
  });

  describe('when snapshots are written late or with another schema', () => {
    it('should keep a newer snapshot over a late older one, but take any of a new schema', async () => {
      // Given
      const storage = PostgresEventStorage.fromUrl(db.url, { poolSize: 1 });
      await storage.init();
      const streamId = `snap-${randomUUID()}`;
      const snapshot = (version: number, schemaVersion: number) => ({
        streamId,
        aggregateType: 'Order',
        version,
        schemaVersion,
        state: Buffer.from(`v${version}`),
        createdAt: new Date(),
      });

      try {
        // When a slow writer saves version 5 after version 10 was saved
        await storage.saveSnapshot(snapshot(10, 1));
        await storage.saveSnapshot(snapshot(5, 1));

        // Then version 10 stays
        expect((await storage.loadSnapshot(streamId, 'Order'))?.version).toBe(10);

        // When the state schema changed
        await storage.saveSnapshot(snapshot(7, 2));

        // Then the new schema's snapshot replaces it
        expect(await storage.loadSnapshot(streamId, 'Order')).toMatchObject({
          version: 7,
          schemaVersion: 2,
        });
      } finally {
        await storage.close();
      }
    });
  });

  describe('when the same event is parked twice by one processor', () => {
    it('should keep one entry with the latest error and attempts', async () => {
      // Given
      const storage = PostgresEventStorage.fromUrl(db.url, { poolSize: 1 });
      await storage.init();
      const processor = `p-${randomUUID()}`;

      try {
        const { positions } = await storage.append(`park-${randomUUID()}`, [anEvent()], 'any');
        const event = (await storage.readAll({ fromPosition: positions[0], limit: 1 }))[0];

        // When
        await storage.parkEvent(processor, event, 'Error: first', 3);
        await storage.parkEvent(processor, event, 'Error: second', 5);

        // Then
        const parked = await storage.listParked(processor);
        expect(parked).toHaveLength(1);
        expect(parked[0]).toMatchObject({
          error: 'Error: second',
          attempts: 5,
          eventId: event.eventId,
        });
      } finally {
        await storage.close();
      }
    });
  });
});

function anEvent(): EventToAppend {
  return {
    eventId: randomUUID(),
    type: 'SetupTested',
    schemaVersion: 1,
    data: '{}',
    metadata: '{}',
  };
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

async function waitFor(check: () => boolean | Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await sleep(50);
  }
}
