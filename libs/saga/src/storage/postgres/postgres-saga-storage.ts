import type { Pool } from 'pg';
import type * as TypeOrm from 'typeorm';
import type { DataSource } from 'typeorm';
import { loadOptionalPeer } from '@cello/core/internal';
import { openWithOwnDataSource } from '../sql/open-sql-saga-storage';
import type { SqlSagaOperations } from '../sql/sql-saga-operations';
import { SqlSagaStorage } from '../sql/sql-saga-storage';
import { runSagaMigrations } from './saga-migrator';
import { sagaTables } from './saga-tables';
import { claimAbandonedSagas } from './schema/claim-abandoned-sagas';
import { claimSaga } from './schema/claim-saga';
import { createSagas } from './schema/create-sagas';
import { heartbeat } from './schema/heartbeat';
import { listSagas } from './schema/list-sagas';
import { loadSaga } from './schema/load-saga';
import { PostgresSagaSql } from './schema/postgres-saga-sql';
import { quarantineSaga } from './schema/quarantine-saga';
import { renewLeases } from './schema/renew-leases';
import { retireIncarnation } from './schema/retire-incarnation';
import { saveSagas } from './schema/save-sagas';

/** Options of the PostgreSQL saga storage. */
export interface PostgresSagaStorageOptions {
  /** Default `public`. */
  schema?: string;
  /** Default `cello_saga_`. */
  tablePrefix?: string;
  /** Apply the shipped migrations on open. Default: true. */
  migrationsRun?: boolean;
  /** Pool size when opened from a URL. Default: 10. */
  poolSize?: number;
  /** Send concurrent sagas' writes as one statement (group commit). Default: true. */
  coalesceWrites?: boolean;
  /**
   * `false`: commit saga writes without waiting for the WAL flush (URL storage
   * only). Much lower latency; a PostgreSQL crash (not an app crash) may lose
   * the last fraction of a second of transitions, after which steps re-run with
   * their idempotency keys. Default: true.
   */
  synchronousCommit?: boolean;
}

/** The PostgreSQL statements, one file each under `schema/`. */
function postgresSagaOperations(sql: PostgresSagaSql): SqlSagaOperations {
  return {
    createBatch: (items) => createSagas(sql, items),
    saveBatch: (items) => saveSagas(sql, items),
    load: (id) => loadSaga(sql, id),
    list: (query) => listSagas(sql, query),
    claimAbandoned: (...args) => claimAbandonedSagas(sql, ...args),
    claim: (...args) => claimSaga(sql, ...args),
    quarantine: (...args) => quarantineSaga(sql, ...args),
    heartbeat: (...args) => heartbeat(sql, ...args),
    retireIncarnation: (incarnation) => retireIncarnation(sql, incarnation),
    renewLeases: (...args) => renewLeases(sql, ...args),
    ping: async () => void (await sql.query('ping', 'SELECT 1', [])),
  };
}

/**
 * Saga state in PostgreSQL through a TypeORM DataSource. Writes of concurrent
 * sagas are coalesced into one `unnest` statement, each row fenced by its
 * writer's owner and fencing token.
 */
export class PostgresSagaStorage extends SqlSagaStorage {
  /** Opens a DataSource of its own on `url` (closed by `close()`). */
  static async fromUrl(
    url: string,
    options: PostgresSagaStorageOptions = {},
  ): Promise<PostgresSagaStorage> {
    // Optional peers, loaded only here; pg first, so its absence is named rather than reported by TypeORM.
    loadOptionalPeer('pg', 'PostgreSQL saga storage', require);
    const { DataSource } = loadOptionalPeer<typeof TypeOrm>(
      'typeorm',
      'PostgreSQL saga storage',
      require,
    );
    const dataSource = new DataSource({
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
    return openWithOwnDataSource(dataSource, (opened) =>
      PostgresSagaStorage.open(opened, options, true),
    );
  }

  /** Uses the application's DataSource (left open by `close()`). */
  static async fromDataSource(
    dataSource: DataSource,
    options: PostgresSagaStorageOptions = {},
  ): Promise<PostgresSagaStorage> {
    if (!dataSource.isInitialized) await dataSource.initialize();
    return PostgresSagaStorage.open(dataSource, options, false);
  }

  private static async open(
    dataSource: DataSource,
    options: PostgresSagaStorageOptions,
    owns: boolean,
  ): Promise<PostgresSagaStorage> {
    const tables = sagaTables(options.schema, options.tablePrefix);
    if (options.migrationsRun ?? true) await runSagaMigrations(dataSource, tables);
    const pool = () => nodePostgresPool(dataSource);
    const operations = postgresSagaOperations(new PostgresSagaSql(tables, pool));
    return new PostgresSagaStorage(operations, dataSource, owns, options.coalesceWrites ?? true);
  }

  /** The pool its statements run on (read by tests of the session settings). */
  private get pool(): Pool {
    return nodePostgresPool(this.dataSource);
  }
}

/** The node-postgres pool under the DataSource: named prepared statements, row counts. */
function nodePostgresPool(dataSource: DataSource): Pool {
  return (dataSource.driver as unknown as { master: Pool }).master;
}
