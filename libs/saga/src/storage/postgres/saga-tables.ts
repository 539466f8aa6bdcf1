import { InvalidSagaOptionsError } from '../../errors/invalid-saga-options.error';

/** Qualified table names of the saga storage, from `schema` and `tablePrefix`. */
export interface SagaTables {
  readonly schema: string;
  readonly prefix: string;
  /** `"schema"."<prefix>instances"`: one row per saga instance, with its lease. */
  readonly instances: string;
  /** `"schema"."<prefix>incarnations"`: one heartbeat row per process (incarnation) of an instance. */
  readonly incarnations: string;
  /** `"schema"."<prefix>migrations"`: shipped migrations applied. */
  readonly migrations: string;
}

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]{0,40}$/;

/** Builds (and checks) the table names; identifiers are validated, never interpolated raw. */
export function sagaTables(schema = 'public', prefix = 'cello_saga_'): SagaTables {
  for (const [what, value] of [
    ['schema', schema],
    ['tablePrefix', prefix],
  ] as const) {
    if (!IDENTIFIER.test(value)) {
      throw new InvalidSagaOptionsError(what, `must match ${String(IDENTIFIER)}, got "${value}".`);
    }
  }
  const table = (name: string) => `"${schema}"."${prefix}${name}"`;
  return {
    schema,
    prefix,
    instances: table('instances'),
    incarnations: table('incarnations'),
    migrations: table('migrations'),
  };
}
