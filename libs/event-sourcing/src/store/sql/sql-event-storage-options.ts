/**
 * The options both SQL event storages take, with the same defaults (each
 * backend's options interface documents them for its users).
 */
export type SqlEventStorageCommonOptions = { tablePrefix?: string } & Partial<
  Record<
    | 'poolSize'
    | 'connectionTimeoutMs'
    | 'pingTimeoutMs'
    | 'maxAppendBatchesInFlight'
    | 'maxEventsPerAppendBatch',
    number
  >
>;

/** Applies the shared defaults; the batch size's default is the backend's own. */
export function resolveSqlEventStorageOptions(
  options: SqlEventStorageCommonOptions,
  defaultMaxEventsPerAppendBatch: number,
): Required<SqlEventStorageCommonOptions> {
  return {
    tablePrefix: options.tablePrefix ?? 'cello_',
    poolSize: options.poolSize ?? 10,
    connectionTimeoutMs: options.connectionTimeoutMs ?? 5000,
    pingTimeoutMs: options.pingTimeoutMs ?? 2000,
    maxAppendBatchesInFlight: options.maxAppendBatchesInFlight ?? 2,
    maxEventsPerAppendBatch: options.maxEventsPerAppendBatch ?? defaultMaxEventsPerAppendBatch,
  };
}
