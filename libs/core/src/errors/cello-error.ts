/** Marks Cello errors across package copies, where `instanceof` would fail. */
const CELLO_ERROR_BRAND = Symbol.for('cello.error');

/**
 * Base class of every error Cello throws. `code` is a stable kebab-case
 * string: check it with {@link isCelloError} rather than `instanceof`, which
 * fails when two copies of the package are loaded.
 */
export class CelloError extends Error {
  readonly [CELLO_ERROR_BRAND] = true;

  constructor(
    /** Stable, kebab-case identifier of the failure, e.g. `concurrency-conflict`. */
    readonly code: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** True when `error` is a Cello error, and of `code` when one is given. */
export function isCelloError(error: unknown, code?: string): error is CelloError {
  if (typeof error !== 'object' || error === null) return false;
  const candidate = error as { [CELLO_ERROR_BRAND]?: unknown; code?: unknown };
  if (candidate[CELLO_ERROR_BRAND] !== true) return false;
  return code === undefined || candidate.code === code;
}
