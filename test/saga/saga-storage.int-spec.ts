import { MemorySagaStorage, PostgresSagaStorage, SagaStorageHealthIndicator } from '@cello/saga';
import { usePostgresDatabase } from '../support/postgres-database';
import { describeSagaStorageContract } from '@cello/saga/testing';

describeSagaStorageContract('memory', async () => {
  const storage = new MemorySagaStorage();
  // One process: a second claimer shares the same memory.
  return {
    storage,
    other: async () => Object.assign(Object.create(storage), { close: async () => {} }),
  };
});

describe('PostgreSQL', () => {
  const db = usePostgresDatabase();

  describeSagaStorageContract('PostgreSQL', async () => ({
    storage: await PostgresSagaStorage.fromUrl(db.url),
    other: () => PostgresSagaStorage.fromUrl(db.url),
  }));

  describe('when the storage is opened by many instances at once', () => {
    it('should apply the shipped migration once', async () => {
      // Given / When
      const opened = await Promise.all(
        Array.from({ length: 4 }, () =>
          PostgresSagaStorage.fromUrl(db.url, { tablePrefix: 'race_', poolSize: 1 }),
        ),
      );
      // Then
      await Promise.all(opened.map((s) => s.close()));
      const again = await PostgresSagaStorage.fromUrl(db.url, { tablePrefix: 'race_' });
      expect(await again.list()).toEqual([]);
      await again.close();
    });

    it('should commit without waiting for the WAL flush when synchronousCommit is false', async () => {
      // Given
      const storage = await PostgresSagaStorage.fromUrl(db.url, { synchronousCommit: false });
      // When
      const pool = (
        storage as unknown as { pool: { query(sql: string): Promise<{ rows: unknown[] }> } }
      ).pool;
      const { rows } = await pool.query('SHOW synchronous_commit');
      // Then
      expect(rows).toEqual([{ synchronous_commit: 'off' }]);
      await storage.close();
    });

    it('should report its health down once it cannot answer', async () => {
      // Given
      const storage = await PostgresSagaStorage.fromUrl(db.url);
      const health = new SagaStorageHealthIndicator(storage);
      expect(await health.isHealthy()).toEqual({ sagaStorage: { status: 'up' } });
      // When
      await storage.close();
      // Then
      expect(await health.isHealthy()).toMatchObject({ sagaStorage: { status: 'down' } });
    });

    it('should refuse a table prefix that is not an identifier', async () => {
      await expect(
        PostgresSagaStorage.fromUrl(db.url, { tablePrefix: 'x"; DROP TABLE y; --' }),
      ).rejects.toMatchObject({ code: 'saga-invalid-options', option: 'tablePrefix' });
    });
  });
});
