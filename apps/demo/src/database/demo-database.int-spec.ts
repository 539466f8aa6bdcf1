import { isCelloError } from '@cello/core';
import { usePostgresDatabase } from '../../../../test/support/postgres-database';
import { DemoConfig } from '../config/demo-config';
import { DemoDatabase } from './demo-database';
import { DemoDatabaseUnavailableError } from './demo-database-unavailable.error';

describe('DemoDatabase', () => {
  const db = usePostgresDatabase();

  describe('when PostgreSQL cannot be reached', () => {
    it('should start anyway and fail each query with a 503-mapped error', async () => {
      // Given: nothing listens on this port
      const database = new DemoDatabase(
        new DemoConfig({ databaseUrl: 'postgres://cello:cello@127.0.0.1:1/none' }),
      );
      // When
      await database.onModuleInit();
      const failure = await database.query('SELECT 1').catch((error: unknown) => error);
      // Then
      expect(isCelloError(failure, DemoDatabaseUnavailableError.code)).toBe(true);
      await database.onApplicationShutdown();
    });
  });

  describe('when PostgreSQL is reachable', () => {
    it('should create the read model and ledger tables in their own schemas', async () => {
      // Given
      const database = new DemoDatabase(
        new DemoConfig({ databaseUrl: db.url, readModelSchema: 'shop_read' }),
      );
      // When
      await database.onModuleInit();
      const [tables] = await database.query<{ orders: string | null; ledger: string | null }[]>(
        `SELECT to_regclass('shop_read.orders')::text AS orders, to_regclass('demo.ledger')::text AS ledger`,
      );
      // Then
      expect(tables).toEqual({ orders: 'shop_read.orders', ledger: 'demo.ledger' });
      await database.onApplicationShutdown();
    });
  });
});
