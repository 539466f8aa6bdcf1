import type { AsyncModuleOptions } from '@cello/core';
import type { Type } from '@nestjs/common';
import type { DataSource } from 'typeorm';

/** Options of `SagaModule.forRoot` (the seed's `SagaConfig`). */
export interface SagaModuleOptions {
  /** `'memory'`, a `postgresql://` or `mysql://` URL, or a TypeORM `DataSource` (PostgreSQL, MySQL, MariaDB). Default: `'memory'`. */
  storage?: 'memory' | string | DataSource;
  /** Retries of a failing step (and of a failing compensation) after its first attempt. Default: 3. */
  maxRetries?: number;
  /** Seconds before the first retry; doubles per retry, with jitter. Default: 5. */
  retryDelay?: number;
  /** Upper bound, in seconds, of one retry delay. Default: 60. */
  maxRetryDelay?: number;
  /** Seconds the whole saga may take before it is compensated and ends `timed_out`. Default: 300. */
  timeout?: number;
  /** Saga classes to register besides `@Saga` providers (explicit-form `Saga` subclasses). Default: []. */
  sagas?: Type<object>[];
  /** Identity of this instance in lease rows; a second live process with the same one fails to start. Default: `<hostname>-<pid>-<random>`. */
  instanceId?: string;
  /** Seconds a lease on a running saga lasts without renewal. Default: 30. */
  leaseTtl?: number;
  /** Seconds between scans for abandoned sagas (and lease renewals at a third of `leaseTtl`). Default: 5. */
  recoveryInterval?: number;
  /** Recover unfinished sagas on start-up and periodically. Default: true. */
  recovery?: boolean;
  /** Abandoned sagas one instance takes per scan (smaller spreads them over instances). Default: 20. */
  recoveryBatchSize?: number;
  /** Table name prefix (PostgreSQL, MySQL). Default: `cello_saga_`. */
  tablePrefix?: string;
  /** PostgreSQL schema (MySQL: database) of the tables. Default: `public` (MySQL: the URL's database). */
  schema?: string;
  /** Run the shipped migrations on start-up (else add them to your own migrations). Default: true. */
  migrationsRun?: boolean;
  /** Connection pool size when `storage` is a URL. Default: 10. */
  poolSize?: number;
  /** PostgreSQL: send concurrent sagas' state writes as one statement (group commit). Default: true. */
  coalesceWrites?: boolean;
  /**
   * PostgreSQL URL storage: `false` commits saga writes without waiting for the WAL flush
   * (a database crash may lose the last fraction of a second of transitions; steps then
   * re-run with their idempotency keys). Default: true.
   */
  synchronousCommit?: boolean;
}

/** Factory of `SagaModuleOptions`. */
export interface SagaOptionsFactory {
  /** The module options. */
  createSagaOptions(): SagaModuleOptions | Promise<SagaModuleOptions>;
}

/** Options of `SagaModule.forRootAsync`: `useFactory` (with `inject`), `useClass` or `useExisting`. */
export interface SagaModuleAsyncOptions extends AsyncModuleOptions<
  SagaModuleOptions,
  SagaOptionsFactory
> {
  /** Saga classes to register (known before the factory runs). Default: []. */
  sagas?: Type<object>[];
}

/** Options with every default applied, in milliseconds. */
export interface ResolvedSagaOptions {
  maxRetries: number;
  retryDelayMs: number;
  maxRetryDelayMs: number;
  timeoutMs: number;
  instanceId: string;
  leaseTtlMs: number;
  recoveryIntervalMs: number;
  recovery: boolean;
  recoveryBatchSize: number;
}
