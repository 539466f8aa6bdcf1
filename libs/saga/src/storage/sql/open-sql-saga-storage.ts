import type { DataSource } from 'typeorm';
import type { SqlSagaOperations } from './sql-saga-operations';
import type { SqlSagaStorageOptions } from './sql-saga-storage-options';

/** What a SQL saga storage is built from. */
export interface SqlSagaStorageParts {
  readonly operations: SqlSagaOperations;
  readonly dataSource: DataSource;
  /** Closed by the storage's `close()`: it opened it itself. */
  readonly ownsDataSource: boolean;
  readonly coalesceWrites: boolean;
}

/**
 * Initialises the DataSource if needed and lets the backend migrate and bind
 * its operations on it. If that fails, a DataSource the storage opened itself
 * is destroyed rather than leaked; an application's is left to it.
 */
export async function openSqlSagaStorage<O extends SqlSagaStorageOptions>(
  dataSource: DataSource,
  options: O,
  ownsDataSource: boolean,
  bindOperations: (dataSource: DataSource, options: O) => Promise<SqlSagaOperations>,
): Promise<SqlSagaStorageParts> {
  if (!dataSource.isInitialized) await dataSource.initialize();
  try {
    const operations = await bindOperations(dataSource, options);
    return {
      operations,
      dataSource,
      ownsDataSource,
      coalesceWrites: options.coalesceWrites ?? true,
    };
  } catch (error) {
    if (ownsDataSource) await dataSource.destroy();
    throw error;
  }
}
