import type { DataSource } from 'typeorm';
import { redactSecrets } from '@cello/core';
import { isTypeOrmDataSource, shareDataSourceInitialize } from '@cello/core/internal';
import { InvalidSagaOptionsError } from '../errors/invalid-saga-options.error';
import type { SagaModuleOptions } from '../saga-module-options';
import { MemorySagaStorage } from './memory/memory-saga-storage';
import { MysqlSagaStorage } from './mysql/mysql-saga-storage';
import { PostgresSagaStorage } from './postgres/postgres-saga-storage';
import { ReconnectingSagaStorage } from './reconnecting-saga-storage';
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
  if (isTypeOrmDataSource(storage)) {
    const dataSource = storage as unknown as DataSource;
    const type = storage.options.type;
    if (type !== 'postgres' && type !== 'mysql' && type !== 'mariadb') {
      throw new InvalidSagaOptionsError(
        'storage',
        `is a DataSource of type "${type}"; only "postgres", "mysql" and "mariadb" are supported.`,
      );
    }
    // The app's pool may serve events and its read model too, each initializing it.
    shareDataSourceInitialize(storage);
    // An app's DataSource whose database is down waits it out like a URL does.
    return keepTrying(
      () =>
        type === 'postgres'
          ? PostgresSagaStorage.fromDataSource(dataSource, pg)
          : MysqlSagaStorage.fromDataSource(dataSource, pg),
      `Saga storage (the app's ${type} DataSource)`,
    );
  }
  if (typeof storage === 'string' && /^postgres(ql)?:\/\//.test(storage)) {
    return openOrKeepTrying(() => PostgresSagaStorage.fromUrl(storage, pg), storage);
  }
  if (typeof storage === 'string' && /^(mysql|mariadb):\/\//.test(storage)) {
    return openOrKeepTrying(() => MysqlSagaStorage.fromUrl(storage, pg), storage);
  }
  throw new InvalidSagaOptionsError(
    'storage',
    `must be 'memory', a postgresql:// or mysql:// URL or a TypeORM DataSource, got ${JSON.stringify(redactSecrets(String(storage)))}.`,
  );
}

/**
 * Opens a storage by URL through `ReconnectingSagaStorage` (core's storage
 * starter): the storage itself when it opens at once, else a stand-in that
 * keeps trying, so the app still starts while its database is down.
 */
async function openOrKeepTrying(
  open: () => Promise<SagaStorage>,
  url: string,
): Promise<SagaStorage> {
  // Bad syntax is a mistake to fix, not an outage to wait out.
  if (!URL.canParse(url)) {
    throw new InvalidSagaOptionsError('storage', `is not a valid URL: "${redactSecrets(url)}".`);
  }
  return keepTrying(open, `Saga storage at ${redactSecrets(url)}`);
}

async function keepTrying(open: () => Promise<SagaStorage>, name: string): Promise<SagaStorage> {
  const storage = new ReconnectingSagaStorage(open, { name });
  await storage.start();
  return storage.opened ?? storage;
}
