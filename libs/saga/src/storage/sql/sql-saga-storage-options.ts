/** Options every SQL saga storage takes. */
export interface SqlSagaStorageOptions {
  /** Default `cello_saga_`. */
  tablePrefix?: string;
  /** Apply the shipped migrations on open. Default: true. */
  migrationsRun?: boolean;
  /** Pool size when opened from a URL. Default: 10. */
  poolSize?: number;
  /** Send concurrent sagas' writes together, in one statement or transaction (group commit). Default: true. */
  coalesceWrites?: boolean;
}
