import { DataSource } from 'typeorm';
import { InvalidSagaOptionsError } from '../errors/invalid-saga-options.error';
import type { SagaModuleOptions } from '../saga-module-options';
import { MemorySagaStorage } from './memory/memory-saga-storage';
import { MysqlSagaStorage } from './mysql/mysql-saga-storage';
import { PostgresSagaStorage } from './postgres/postgres-saga-storage';
import type { SagaStorage } from './saga-storage';

/** Builds the storage the `storage` option names. */
export async function createSagaStorage(options: SagaModuleOptions): Promise<SagaStorage> {
  const storage = options.storage ?? 'memory';
  const pg = {
    schema: options.schema,
    tablePrefix: options.tablePrefix,
    migrationsRun: options.migrationsRun,
    poolSize: options.poolSize,
    coalesceWrites: options.coalesceWrites,
    synchronousCommit: options.synchronousCommit,
  };
  if (storage === 'memory') return new MemorySagaStorage();
  if (storage instanceof DataSource) {
    if (storage.options.type === 'mysql' || storage.options.type === 'mariadb') {
      return MysqlSagaStorage.fromDataSource(storage, pg);
    }
    if (storage.options.type !== 'postgres') {
      throw new InvalidSagaOptionsError(
        'storage',
        `is a DataSource of type "${storage.options.type}"; only "postgres", "mysql" and "mariadb" are supported.`,
      );
    }
    return PostgresSagaStorage.fromDataSource(storage, pg);
  }
  if (typeof storage === 'string' && /^postgres(ql)?:\/\//.test(storage)) {
    return PostgresSagaStorage.fromUrl(storage, pg);
  }
  if (typeof storage === 'string' && /^(mysql|mariadb):\/\//.test(storage)) {
    return MysqlSagaStorage.fromUrl(storage, pg);
  }
  throw new InvalidSagaOptionsError(
    'storage',
    `must be 'memory', a postgresql:// or mysql:// URL or a TypeORM DataSource, got ${JSON.stringify(String(storage))}.`,
  );
}
