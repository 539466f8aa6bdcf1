import { resolveSqlEventStorageOptions } from '../sql/sql-event-storage-options';

/** Options of `PostgresEventStorage.fromUrl` and `PostgresEventStorage.fromDataSource`. */
export interface PostgresEventStorageOptions {
  /** Database schema holding the tables (created when missing). Default 'public'. */
  schema?: string;
  /** Prefix of every table, function and channel name. Default 'cello_'. */
  tablePrefix?: string;
  /** Connections in the pool the storage opens itself (`fromUrl` only). Default 10. */
  poolSize?: number;
  /** Longest a connection attempt may take, in milliseconds (`fromUrl` only). Default 5000. */
  connectionTimeoutMs?: number;
  /** Longest a statement may run before it fails as unavailable, in milliseconds. Default 30000. */
  statementTimeoutMs?: number;
  /** Longest `ping()` waits, in milliseconds. Default 2000. */
  pingTimeoutMs?: number;
  /**
   * Coalesced append statements allowed in flight at once; appends arriving
   * meanwhile queue and go out together as the next statement. Default 2.
   */
  maxAppendBatchesInFlight?: number;
  /** Most events one coalesced append statement carries. Default 2000. */
  maxEventsPerAppendBatch?: number;
}

/** The options with every default applied. */
export type ResolvedPostgresEventStorageOptions = Required<PostgresEventStorageOptions>;

/** Applies the defaults documented on {@link PostgresEventStorageOptions}. */
export function resolvePostgresEventStorageOptions(
  options: PostgresEventStorageOptions = {},
): ResolvedPostgresEventStorageOptions {
  return {
    ...resolveSqlEventStorageOptions(options, 2000),
    schema: options.schema ?? 'public',
    statementTimeoutMs: options.statementTimeoutMs ?? 30000,
  };
}
