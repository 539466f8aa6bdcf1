import { isCelloError } from '@cello/core';
import { SOCKET_ERROR_CODES } from '../store/socket-error-codes';

/**
 * Error codes (Node, mysql2, undici) of a connection that was lost, refused or
 * timed out, of a pool being closed, and of MySQL's lock conflicts.
 */
const TRANSIENT_CODES: ReadonlySet<string> = new Set([
  ...SOCKET_ERROR_CODES,
  'ECONNABORTED',
  'ESOCKETTIMEDOUT',
  'EADDRNOTAVAIL',
  'PROTOCOL_CONNECTION_LOST',
  'PROTOCOL_SEQUENCE_TIMEOUT',
  'POOL_CLOSED',
  'ER_LOCK_DEADLOCK',
  'ER_LOCK_WAIT_TIMEOUT',
  'ER_CON_COUNT_ERROR',
  'ER_SERVER_SHUTDOWN',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
  'UND_ERR_SOCKET',
]);

/**
 * SQLSTATEs (PostgreSQL `code`, mysql2 `sqlState`) of a failure that the same
 * statement may not meet again: serialization failure (40001), deadlock
 * (40P01), statement timeout or cancel (57014), administrator or crash
 * shutdown (57P01-03), lock not available (55P03). Classes 08 (connection
 * exception) and 53 (insufficient resources) are matched by prefix.
 */
const TRANSIENT_SQLSTATES: ReadonlySet<string> = new Set([
  '40001',
  '40P01',
  '57014',
  '57P01',
  '57P02',
  '57P03',
  '55P03',
]);
const TRANSIENT_SQLSTATE_CLASSES = ['08', '53'];

/**
 * MySQL/MariaDB server and client error numbers: lock wait timeout (1205),
 * deadlock (1213), too many connections (1040), server shutdown (1053),
 * connection killed (1927), statement timeouts (1969, 3024), client
 * disconnected for inactivity (4031), and the client's cannot-connect and
 * connection-lost errors (2002, 2003, 2006, 2013).
 */
const TRANSIENT_MYSQL_ERRNOS: ReadonlySet<number> = new Set([
  1205, 1213, 1040, 1053, 1927, 1969, 3024, 4031, 2002, 2003, 2006, 2013,
]);

/** Cello errors that mean a storage could not be reached, or a dispatch ran out of time. */
const TRANSIENT_CELLO_CODES = [
  'transient-error',
  'event-store-unavailable',
  'saga-storage-unavailable',
  'command-timeout',
  'query-timeout',
];

/** Error names of timeouts (`AbortSignal.timeout`) and of a TypeORM DataSource not connected (yet, or any more). */
const TRANSIENT_NAMES: ReadonlySet<string> = new Set([
  'TimeoutError',
  'CannotExecuteNotConnectedError',
  'ConnectionIsNotSetError',
]);

/** Messages that pg, pg-pool and mysql2 throw without a code when a connection fails or times out. */
const TRANSIENT_MESSAGES = [
  'Connection terminated',
  'timeout exceeded when trying to connect',
  'Query read timeout',
  'Client has encountered a connection error',
  'Cannot use a pool after calling end',
  'Client was closed',
  "Can't add new command when connection is in closed state",
  'Pool is closed',
];

/** How deep `cause` / `driverError` chains are followed. */
const MAX_DEPTH = 5;

/**
 * Cello's default answer to "is this error transient?" for a subscriber's
 * handler: true for a lost, refused or timed-out connection, a serialization
 * failure, a deadlock or lock timeout, a server shutting down or out of
 * resources (PostgreSQL and MySQL, also wrapped in TypeORM's
 * `QueryFailedError`: its `driverError` is read), an unreachable event or
 * saga storage, a timeout, a `TransientError` or any error with
 * `transient: true`. The `cause` chain (and an `AggregateError`'s errors) is
 * searched too. Anything else (a constraint violation, a value out of range,
 * a bug) is not: it is retried `maxAttempts` times, then parked.
 */
export function isTransientError(error: unknown): boolean {
  return classify(error, 0, new Set());
}

function classify(error: unknown, depth: number, seen: Set<object>): boolean {
  if (typeof error !== 'object' || error === null || depth > MAX_DEPTH || seen.has(error)) {
    return false;
  }
  seen.add(error);
  const { transient, code, sqlState, errno, name, message, driverError, cause } = error as {
    transient?: unknown;
    code?: unknown;
    sqlState?: unknown;
    errno?: unknown;
    name?: unknown;
    message?: unknown;
    driverError?: unknown;
    cause?: unknown;
  };
  if (transient === true) return true;
  if (TRANSIENT_CELLO_CODES.some((celloCode) => isCelloError(error, celloCode))) return true;
  if (typeof code === 'string' && (TRANSIENT_CODES.has(code) || isTransientSqlState(code))) {
    return true;
  }
  if (typeof sqlState === 'string' && isTransientSqlState(sqlState)) return true;
  if (typeof errno === 'number' && TRANSIENT_MYSQL_ERRNOS.has(errno)) return true;
  if (typeof name === 'string' && TRANSIENT_NAMES.has(name)) return true;
  if (typeof message === 'string' && TRANSIENT_MESSAGES.some((text) => message.includes(text))) {
    return true;
  }
  const nested: unknown[] = [driverError, cause];
  if (error instanceof AggregateError) nested.push(...(error.errors as unknown[]));
  return nested.some((inner) => classify(inner, depth + 1, seen));
}

function isTransientSqlState(code: string): boolean {
  if (!/^[0-9A-Z]{5}$/.test(code)) return false;
  return (
    TRANSIENT_SQLSTATES.has(code) ||
    TRANSIENT_SQLSTATE_CLASSES.some((sqlClass) => code.startsWith(sqlClass))
  );
}
