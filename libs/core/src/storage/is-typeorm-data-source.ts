/** The part of a TypeORM `DataSource` the storages rely on. */
export interface DataSourceLike {
  readonly options: { readonly type: string };
  query(sql: string, parameters?: unknown[]): Promise<unknown>;
  initialize(): Promise<unknown>;
}

/**
 * True for a TypeORM `DataSource`, recognised by shape rather than `instanceof`:
 * TypeORM is an optional peer (never loaded here), and an app may hold a
 * second copy of it whose class would fail an `instanceof` check.
 */
export function isTypeOrmDataSource(value: unknown): value is DataSourceLike {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { query?: unknown }).query === 'function' &&
    typeof (value as { initialize?: unknown }).initialize === 'function' &&
    typeof (value as { options?: { type?: unknown } }).options?.type === 'string'
  );
}
