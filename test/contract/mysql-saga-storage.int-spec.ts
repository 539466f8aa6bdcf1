import { randomUUID } from 'node:crypto';
import { SagaMachine, SagaStorageHealthIndicator } from '@cello/saga';
import { MysqlSagaStorage } from '@cello/saga/storage/mysql/mysql-saga-storage';
import { DataSource } from 'typeorm';
import { describeSagaStorageContract } from '@cello/saga/testing';
import { useMysqlDatabase } from '../support/mysql-database';

describe('MySQL/MariaDB', () => {
  const db = useMysqlDatabase();

  // The same cases as memory and PostgreSQL (test/saga/saga-storage.int-spec.ts).
  describeSagaStorageContract('MySQL', async () => ({
    storage: await MysqlSagaStorage.fromUrl(db.url, { poolSize: 4 }),
    other: () => MysqlSagaStorage.fromUrl(db.url, { poolSize: 4 }),
  }));

  describe('when a transition writes what is already stored', () => {
    it('should still report it saved (MySQL counts only changed rows)', async () => {
      // Given
      const storage = await MysqlSagaStorage.fromUrl(db.url, { poolSize: 2 });
      const write = aWrite();
      await storage.create({ ...write, sagaName: 'orders' });

      // When
      const first = await storage.save(write);
      const again = await storage.save(write);

      // Then
      expect([first, again]).toEqual([true, true]);
      await storage.close();
    });
  });

  describe('when the context holds 4-byte characters and quotes', () => {
    it('should read it back verbatim', async () => {
      // Given
      const storage = await MysqlSagaStorage.fromUrl(db.url, { poolSize: 2 });
      const write = aWrite({ context: { note: `🎉 ü "q" 'x' \\ <b>`, n: [1, 2] } });

      // When
      await storage.create({ ...write, sagaName: 'orders' });

      // Then
      expect((await storage.load(write.id))?.context).toEqual(write.context);
      await storage.close();
    });
  });

  describe('when the storage is opened by many instances at once', () => {
    it('should apply the shipped migration once', async () => {
      // Given / When
      const opened = await Promise.all(
        Array.from({ length: 4 }, () =>
          MysqlSagaStorage.fromUrl(db.url, { tablePrefix: 'race_', poolSize: 1 }),
        ),
      );

      // Then
      await Promise.all(opened.map((s) => s.close()));
      const again = await MysqlSagaStorage.fromUrl(db.url, { tablePrefix: 'race_' });
      expect(await again.list()).toEqual([]);
      await again.close();
    });

    it('should report its health down once it cannot answer', async () => {
      // Given
      const storage = await MysqlSagaStorage.fromUrl(db.url, { poolSize: 1 });
      const health = new SagaStorageHealthIndicator(storage);
      expect(await health.isHealthy()).toEqual({ sagaStorage: { status: 'up' } });

      // When
      await storage.close();

      // Then
      expect(await health.isHealthy()).toMatchObject({ sagaStorage: { status: 'down' } });
    });
  });

  describe('when given a DataSource without a utf8mb4 charset', () => {
    it('should refuse it with a fix-it message', async () => {
      // Given
      const dataSource = new DataSource({ type: 'mysql', url: db.url });

      // When
      const opening = MysqlSagaStorage.fromDataSource(dataSource);

      // Then
      await expect(opening).rejects.toThrow(/utf8mb4/);
      expect(dataSource.isInitialized).toBe(false);
    });
  });
});

function aWrite(overrides: { context?: Record<string, unknown> } = {}) {
  const definition = {
    steps: [{ name: 'only', maxRetries: 0, hasCompensation: false, compensateOnFailure: false }],
    retryBaseMs: 10,
    retryCapMs: 100,
    timeoutMs: null,
  };
  return {
    id: randomUUID(),
    status: 'running' as const,
    state: SagaMachine.transition(SagaMachine.init(definition), {
      type: 'start',
      nowMs: Date.now(),
    }).state,
    context: overrides.context ?? { n: 1 },
    owner: 'a',
    fencingToken: 1,
    leaseTtlMs: 60_000,
  };
}
