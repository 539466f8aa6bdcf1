import type { Pool } from 'pg';
import type { DataSource } from 'typeorm';
import { createOwnDataSource } from '../sql/create-own-data-source';
import { openSqlSagaStorage } from '../sql/open-sql-saga-storage';
import type { SqlSagaOperations } from '../sql/sql-saga-operations';
import { bindSqlSagaSchema } from '../sql/sql-saga-schema';
import type { SqlSagaStorageOptions } from '../sql/sql-saga-storage-options';
import { SqlSagaStorage } from '../sql/sql-saga-storage';
import { runSagaMigrations } from './saga-migrator';
import { sagaTables } from './saga-tables';
import * as schema from './schema';
import { PostgresSagaSql } from './schema/postgres-saga-sql';

/** Options of the PostgreSQL saga storage. */
export interface PostgresSagaStorageOptions extends SqlSagaStorageOptions {
  /** Default `public`. */
  schema?: string;
  /**
   * `false`: commit saga writes without waiting for the WAL flush (URL storage
   * only). Much lower latency; a PostgreSQL crash (not an app crash) may lose
   * the last fraction of a second of transitions, after which steps re-run with
   * their idempotency keys. Default: true.
   */
  synchronousCommit?: boolean;
}

/**
 * Saga state in PostgreSQL through a TypeORM DataSource. Writes of concurrent
 * sagas are coalesced into one statement (`unnest` for creates,
 * `json_to_recordset` for saves), each row fenced by its writer's owner and
 * fencing token.
 */
export class PostgresSagaStorage extends SqlSagaStorage {
  /** Opens a DataSource of its own on `url` (closed by `close()`). */
  static async fromUrl(
    url: string,
    options: PostgresSagaStorageOptions = {},
  ): Promise<PostgresSagaStorage> {
    const dataSource = createOwnDataSource('pg', 'PostgreSQL saga storage', {
      type: 'postgres',
      url,
      poolSize: options.poolSize ?? 10,
      synchronize: false,
      extra: {
        // A database that is unreachable (not just down) must not hang saga writes forever.
        connectionTimeoutMillis: 5000,
        ...(options.synchronousCommit === false ? { options: '-c synchronous_commit=off' } : {}),
      },
    });
    return new PostgresSagaStorage(
      await openSqlSagaStorage(dataSource, options, true, postgresSagaOperations),
    );
  }

  /** Uses the application's DataSource (left open by `close()`). */
  static async fromDataSource(
    dataSource: DataSource,
    options: PostgresSagaStorageOptions = {},
  ): Promise<PostgresSagaStorage> {
    return new PostgresSagaStorage(
      await openSqlSagaStorage(dataSource, options, false, postgresSagaOperations),
    );
  }

  /** The pool its statements run on (read by tests of the session settings). */
  private get pool(): Pool {
    return nodePostgresPool(this.dataSource);
  }
}

/** Migrates (unless told not to) and binds the statements of `schema/` to the DataSource's pool. */
async function postgresSagaOperations(
  dataSource: DataSource,
  options: PostgresSagaStorageOptions,
): Promise<SqlSagaOperations> {
  const tables = sagaTables(options.schema, options.tablePrefix);
  if (options.migrationsRun ?? true) await runSagaMigrations(dataSource, tables);
  return bindSqlSagaSchema(new PostgresSagaSql(tables, () => nodePostgresPool(dataSource)), schema);
}

/** The node-postgres pool under the DataSource: named prepared statements, row counts. */
function nodePostgresPool(dataSource: DataSource): Pool {
  return (dataSource.driver as unknown as { master: Pool }).master;
}
