import { Injectable, Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { redactSecrets } from '@cello/core';
import { Client, type ClientConfig } from 'pg';
import { DataSource, type EntityManager } from 'typeorm';
import { DemoConfig } from '../config/demo-config';
import { DemoDatabaseUnavailableError } from './demo-database-unavailable.error';
import { createMysqlDemoSchema } from './mysql-demo-schema';
import { createDemoSchema } from './demo-schema';
import { isConnectionError } from './is-connection-error';

/**
 * A pool client that survives an error arriving while it is checked out but
 * idle (the server shutting down mid-outage): node-postgres drops the pool's
 * listener on checkout, and an 'error' with no listener crashes the process.
 * The failure still reaches whoever uses the connection next.
 */
class OutageTolerantClient extends Client {
  constructor(config?: string | ClientConfig) {
    super(config);
    this.on('error', () => undefined);
  }
}

/** Connections in the demo's one pool (events, sagas, read model and ledger). */
export const DEMO_POOL_SIZE = 10;

/**
 * The demo's PostgreSQL or MySQL connection pool, the app's only one: the read
 * model and ledger query it, and the event store and saga storage run on its
 * `dataSource` (handed to them in `AppModule`). The
 * SQL its users send is the dialect's own (`$1` or `?`). A database
 * that is down at start-up does not stop the app: it logs one warning, and
 * the first query after the database is back connects and creates the schema.
 * Queries that cannot reach it fail with {@link DemoDatabaseUnavailableError} (HTTP 503).
 */
@Injectable()
export class DemoDatabase implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('DemoDatabase');
  /** The one pool of the app: its read model and ledger, and the events and sagas (see `AppModule`). */
  readonly dataSource: DataSource;
  private connecting: Promise<void> | undefined;

  constructor(private readonly config: DemoConfig) {
    this.dataSource = config.usesMysql
      ? new DataSource({
          type: 'mysql',
          url: config.databaseUrl,
          synchronize: false,
          // Dates in UTC whatever the server's zone; DECIMAL and BIGINT come back as strings.
          timezone: 'Z',
          charset: 'utf8mb4',
          connectTimeout: 5000,
          extra: { connectionLimit: DEMO_POOL_SIZE },
        })
      : new DataSource({
          type: 'postgres',
          url: config.databaseUrl,
          synchronize: false,
          applicationName: 'cello-demo',
          extra: {
            max: DEMO_POOL_SIZE,
            connectionTimeoutMillis: 5000,
            // A stalled database fails a call as unavailable (503) well before the 30 s command timeout (504).
            statement_timeout: 10_000,
            Client: OutageTolerantClient,
            // Drop broken idle connections quickly so the pool heals after an outage.
            idleTimeoutMillis: 10_000,
            keepAlive: true,
          },
        });
  }

  async onModuleInit(): Promise<void> {
    try {
      await this.ready();
    } catch (error) {
      this.logger.warn(
        `${this.dialect === 'mysql' ? 'MySQL' : 'PostgreSQL'} is unreachable at ${this.config.redactedDatabaseUrl} (${redactSecrets((error as Error).message)}); ` +
          'the read model and the ledger will connect when it is back',
      );
    }
  }

  async onApplicationShutdown(): Promise<void> {
    await this.connecting?.catch(() => undefined);
    if (this.dataSource.isInitialized) await this.dataSource.destroy();
  }

  /** Which SQL the connection speaks. */
  get dialect(): 'postgres' | 'mysql' {
    return this.config.usesMysql ? 'mysql' : 'postgres';
  }

  /** Runs one SQL statement. */
  async query<T>(sql: string, parameters: unknown[] = []): Promise<T> {
    await this.ready();
    return this.unavailableOnConnectionError(() => this.dataSource.query<T>(sql, parameters));
  }

  /** Runs `work` in one transaction. */
  async transaction<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    await this.ready();
    return this.unavailableOnConnectionError(() => this.dataSource.transaction(work));
  }

  // Connects and creates the schema once; a failed attempt is forgotten so the next call retries.
  private ready(): Promise<void> {
    this.connecting ??= (async () => {
      if (!this.dataSource.isInitialized) await this.dataSource.initialize();
      await this.dataSource.transaction((manager) =>
        this.dialect === 'mysql'
          ? createMysqlDemoSchema(manager, this.config)
          : createDemoSchema(manager, this.config),
      );
    })().catch((error: unknown) => {
      this.connecting = undefined;
      throw isConnectionError(error)
        ? new DemoDatabaseUnavailableError((error as Error).message, { cause: error })
        : error;
    });
    return this.connecting;
  }

  private async unavailableOnConnectionError<T>(run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (error) {
      if (isConnectionError(error)) {
        throw new DemoDatabaseUnavailableError((error as Error).message, { cause: error });
      }
      throw error;
    }
  }
}
