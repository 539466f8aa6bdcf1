import { resolveSqlEventStorageOptions } from '../sql/sql-event-storage-options';

/** Options of `MysqlEventStorage.fromUrl` and `MysqlEventStorage.fromDataSource`. */
export interface MysqlEventStorageOptions {
  /** MySQL database holding the tables (created when missing). Default: the connection's database. */
  schema?: string;
  /** Prefix of every table name. Default 'cello_'. */
  tablePrefix?: string;
  /** Connections in the pool the storage opens itself (`fromUrl` only). Default 10. */
  poolSize?: number;
  /** Longest a connection attempt may take, in milliseconds (`fromUrl` only). Default 5000. */
  connectionTimeoutMs?: number;
  /** Longest `ping()` waits, in milliseconds. Default 2000. */
  pingTimeoutMs?: number;
  /**
   * Coalesced append transactions allowed in flight at once; appends arriving
   * meanwhile queue and go out together as the next transaction. Default 2.
   */
  maxAppendBatchesInFlight?: number;
  /** Most events one coalesced append transaction carries. Default 1000. */
  maxEventsPerAppendBatch?: number;
  /**
   * How often, in milliseconds, the log head is polled to wake `onAppended`
   * listeners for appends made by other instances (MySQL has no NOTIFY).
   * Default 250.
   */
  pollIntervalMs?: number;
}

/** The options with every default applied (`schema` stays optional). */
export type ResolvedMysqlEventStorageOptions = Required<Omit<MysqlEventStorageOptions, 'schema'>> &
  Pick<MysqlEventStorageOptions, 'schema'>;

/** Applies the defaults documented on {@link MysqlEventStorageOptions}. */
export function resolveMysqlEventStorageOptions(
  options: MysqlEventStorageOptions = {},
): ResolvedMysqlEventStorageOptions {
  return {
    ...resolveSqlEventStorageOptions(options, 1000),
    schema: options.schema,
    pollIntervalMs: options.pollIntervalMs ?? 250,
  };
}
