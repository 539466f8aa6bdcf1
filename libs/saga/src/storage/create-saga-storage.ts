import { Logger } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import { isCelloError, MissingPeerDependencyError, redactSecrets } from '@cello/core';
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
  if (isDataSource(storage)) {
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
 * A TypeORM DataSource, recognised without loading TypeORM (an optional peer)
 * and across copies of it, where `instanceof` would fail.
 */
function isDataSource(value: unknown): value is DataSource {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { query?: unknown }).query === 'function' &&
    typeof (value as { initialize?: unknown }).initialize === 'function' &&
    typeof (value as { options?: { type?: unknown } }).options?.type === 'string'
  );
}

/**
 * Opens a storage by URL; when its database cannot be reached, logs one
 * warning and returns a stand-in that keeps trying, so the app still starts.
 */
async function openOrKeepTrying(
  open: () => Promise<SagaStorage>,
  url: string,
): Promise<SagaStorage> {
  // Bad syntax is a mistake to fix, not an outage to wait out.
  if (!URL.canParse(url)) {
    throw new InvalidSagaOptionsError('storage', `is not a valid URL: "${redactSecrets(url)}".`);
  }
  try {
    return await open();
  } catch (error) {
    // A package to install is a mistake to fix too, not an outage.
    if (isCelloError(error, MissingPeerDependencyError.code)) throw error;
    const reason = (error as { message?: unknown })?.message;
    new Logger('SagaModule').warn(
      `Saga storage at ${redactSecrets(url)} is unreachable (${redactSecrets(String(reason))}). Starting without it; ` +
        'saga operations fail with SagaStorageUnavailableError until it is reachable (retrying every second).',
    );
    return new ReconnectingSagaStorage(open);
  }
}
