/** Quoted table names of the MySQL saga storage, from `schema` (a MySQL database) and `tablePrefix`. */
export interface MysqlSagaTables {
  /** The database holding the tables; undefined: the connection's own. */
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

/** Builds (and checks) the table names; identifiers are validated, never interpolated raw. */
export function mysqlSagaTables(schema?: string, prefix = 'cello_saga_'): MysqlSagaTables {
  for (const [what, value] of [
    ['schema', schema],
    ['tablePrefix', prefix],
  ] as const) {
    if (value !== undefined && !IDENTIFIER.test(value)) {
      throw new Error(
        `SagaModule option "${what}" must match ${String(IDENTIFIER)}, got "${value}".`,
      );
    }
  }
  const table = (name: string) =>
    schema === undefined ? `\`${prefix}${name}\`` : `\`${schema}\`.\`${prefix}${name}\``;
  return {
    schema,
    prefix,
    instances: table('instances'),
    incarnations: table('incarnations'),
    migrations: table('migrations'),
  };
}
