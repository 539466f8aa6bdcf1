import { InvalidSagaOptionsError } from '../../errors/invalid-saga-options.error';

/** Quoted, qualified table names of a SQL saga storage, from `schema` and `tablePrefix`. */
export interface SqlSagaTables {
  /** The schema (PostgreSQL) or database (MySQL) of the tables; undefined: the connection's own. */
  readonly schema: string | undefined;
  readonly prefix: string;
  /** One row per saga instance, with its lease. */
  readonly instances: string;
  /** One heartbeat row per process (incarnation) of an instance. */
  readonly incarnations: string;
  /** Shipped migrations applied. */
  readonly migrations: string;
}

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]{0,40}$/;

/**
 * Builds (and checks) the table names; identifiers are validated, never
 * interpolated raw. `quote` is the backend's identifier quoting.
 */
export function sqlSagaTables(
  schema: string | undefined,
  prefix: string,
  quote: (identifier: string) => string,
): SqlSagaTables {
  for (const [what, value] of [
    ['schema', schema],
    ['tablePrefix', prefix],
  ] as const) {
    if (value !== undefined && !IDENTIFIER.test(value)) {
      throw new InvalidSagaOptionsError(what, `must match ${String(IDENTIFIER)}, got "${value}".`);
    }
  }
  const table = (name: string) =>
    (schema === undefined ? '' : `${quote(schema)}.`) + quote(`${prefix}${name}`);
  return {
    schema,
    prefix,
    instances: table('instances'),
    incarnations: table('incarnations'),
    migrations: table('migrations'),
  };
}
