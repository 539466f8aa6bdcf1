import { isCelloError } from '@cello/core';
import { useMysqlDatabase } from '../../../../test/support/mysql-database';
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

  describe('on MySQL/MariaDB', () => {
    const mysql = useMysqlDatabase();

    it('should create the read model and ledger tables in the URL database', async () => {
      // Given
      const database = new DemoDatabase(new DemoConfig({ databaseUrl: mysql.url }));
      // When
      await database.onModuleInit();
      const tables = await database.query<{ name: string }[]>(
        `SELECT table_name AS name FROM information_schema.tables
         WHERE table_schema = DATABASE() AND table_name IN ('demo_read_orders', 'demo_ledger')
         ORDER BY table_name`,
      );
      // Then
      expect(database.dialect).toBe('mysql');
      expect(tables.map((table) => table.name)).toEqual(['demo_ledger', 'demo_read_orders']);
      await database.onApplicationShutdown();
    });

    it('should start anyway when MySQL cannot be reached, and fail each query with a 503-mapped error', async () => {
      // Given: nothing listens on this port
      const database = new DemoDatabase(
        new DemoConfig({ databaseUrl: 'mysql://cello:cello@127.0.0.1:1/none' }),
      );
      // When
      await database.onModuleInit();
      const failure = await database.query('SELECT 1').catch((error: unknown) => error);
      // Then
      expect(isCelloError(failure, DemoDatabaseUnavailableError.code)).toBe(true);
      await database.onApplicationShutdown();
    });
  });
});
