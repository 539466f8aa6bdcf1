import type { DataSource } from 'typeorm';
import { redactSecrets } from '@cello/core';
import { isTypeOrmDataSource, shareDataSourceInitialize } from '@cello/core/internal';
import type { EventSourcingModuleOptions } from '../event-sourcing-module-options';
import { InvalidEventSourcingOptionError } from '../errors/invalid-event-sourcing-option.error';
import { InvalidStorageOptionError } from '../errors/invalid-storage-option.error';
import type { EventStorage } from './event-storage';
import { MemoryEventStorage } from './memory/memory-event-storage';
import { MysqlEventStorage } from './mysql/mysql-event-storage';
import { PostgresEventStorage } from './postgres/postgres-event-storage';

/** True when `value` implements the `EventStorage` contract (duck-typed: it has `append`). */
export function isEventStorage(value: unknown): value is EventStorage {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { append?: unknown }).append === 'function' &&
    typeof (value as { readStream?: unknown }).readStream === 'function'
  );
}

/**
 * Turns the `storage` option into a backend: 'memory' (default), a
 * `postgres(ql)://` or `mysql://`/`mariadb://` URL, a TypeORM DataSource for
 * PostgreSQL, MySQL or MariaDB, or an `EventStorage` given as is. Anything else fails at start-up.
 */
export function resolveEventStorage(options: EventSourcingModuleOptions): EventStorage {
  // A pool of 0 never connects; a poll every 0 ms hammers the database.
  checkPositiveInteger('poolSize', options.poolSize);
  checkPositiveInteger('pollIntervalMs', options.pollIntervalMs);
  const storage = options.storage;
  const tableOptions = { schema: options.schema, tablePrefix: options.tablePrefix };
  if (storage === undefined || storage === 'memory') {
    return new MemoryEventStorage();
  }
  if (typeof storage === 'string') {
    let url: URL;
    try {
      url = new URL(storage);
    } catch {
      throw new InvalidStorageOptionError(
        `"${redactSecrets(storage)}" is neither 'memory' nor a URL`,
      );
    }
    if (url.protocol === 'postgres:' || url.protocol === 'postgresql:') {
      return PostgresEventStorage.fromUrl(storage, {
        ...tableOptions,
        poolSize: options.poolSize,
        statementTimeoutMs: options.statementTimeoutMs,
      });
    }
    if (url.protocol === 'mysql:' || url.protocol === 'mariadb:') {
      return MysqlEventStorage.fromUrl(storage, {
        ...tableOptions,
        poolSize: options.poolSize,
        pollIntervalMs: options.pollIntervalMs,
      });
    }
    throw new InvalidStorageOptionError(
      `the URL scheme "${url.protocol}" is not supported (${redactSecrets(storage)})`,
    );
  }
  if (isEventStorage(storage)) return storage;
  if (isTypeOrmDataSource(storage)) {
    // The app's pool may serve sagas and its read model too, each initializing it.
    shareDataSourceInitialize(storage);
    if (storage.options.type === 'postgres') {
      return PostgresEventStorage.fromDataSource(storage as unknown as DataSource, {
        ...tableOptions,
        statementTimeoutMs: options.statementTimeoutMs,
      });
    }
    if (storage.options.type === 'mysql' || storage.options.type === 'mariadb') {
      return MysqlEventStorage.fromDataSource(storage as unknown as DataSource, {
        ...tableOptions,
        pollIntervalMs: options.pollIntervalMs,
      });
    }
    throw new InvalidStorageOptionError(
      `a TypeORM DataSource of type "${storage.options.type}" is not supported yet`,
    );
  }
  throw new InvalidStorageOptionError(`got ${describe(storage)}`);
}

function checkPositiveInteger(option: string, value: unknown): void {
  if (value === undefined || (typeof value === 'number' && Number.isInteger(value) && value >= 1))
    return;
  const shown = typeof value === 'string' ? JSON.stringify(value) : String(value);
  throw new InvalidEventSourcingOptionError(
    option,
    `got ${shown}; give a whole number >= 1, or leave it out for its default`,
  );
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value !== 'object') return `a ${typeof value}`;
  return `an object (${(value as object).constructor?.name ?? 'Object'}) without EventStorage methods`;
}
