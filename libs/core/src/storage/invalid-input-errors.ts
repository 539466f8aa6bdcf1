/**
 * MySQL/MariaDB errors that refuse a value rather than report an outage, for
 * servers that file them under the generic SQLSTATE HY000: incorrect string
 * value (1366), incorrect or truncated value (1292, 1265), column cannot be
 * null (1048), data too long (1406), out of range (1264, 1690), invalid JSON
 * (MySQL 3140, 3141, 3143; MariaDB's JSON_VALID check 4025), and a failed
 * CHECK constraint (MySQL 3819).
 */
const MYSQL_INVALID_INPUT_ERRNOS: ReadonlySet<number> = new Set([
  1048, 1062, 1264, 1265, 1292, 1366, 1406, 1690, 3140, 3141, 3143, 3819, 4025,
]);

/** The error itself, then the driver error or cause it wraps (TypeORM, our own wrappers). */
function* chain(error: unknown): Generator<Record<string, unknown>> {
  const seen = new Set<unknown>();
  let current = error;
  while (typeof current === 'object' && current !== null && !seen.has(current)) {
    seen.add(current);
    const record = current as Record<string, unknown>;
    yield record;
    current = record.driverError ?? record.cause;
  }
}

/**
 * True when PostgreSQL refused the values of a statement: SQLSTATE class 22
 * (data exception: invalid JSON or text, NUL, out of range) or 23 (integrity
 * constraint violation). Such an error is the caller's, and repeating the
 * statement gets the same answer: it must never be retried or reported as an
 * outage.
 */
export function isPostgresInvalidInput(error: unknown): boolean {
  for (const record of chain(error)) {
    const code = record.code;
    if (typeof code === 'string' && /^2[23][0-9A-Z]{3}$/.test(code)) return true;
  }
  return false;
}

/** The MySQL/MariaDB counterpart of {@link isPostgresInvalidInput}: SQLSTATE 22/23 or a value-refusing errno. */
export function isMysqlInvalidInput(error: unknown): boolean {
  for (const record of chain(error)) {
    const { sqlState, errno } = record;
    if (typeof sqlState === 'string' && /^2[23]/.test(sqlState)) return true;
    if (typeof errno === 'number' && MYSQL_INVALID_INPUT_ERRNOS.has(errno)) return true;
  }
  return false;
}
