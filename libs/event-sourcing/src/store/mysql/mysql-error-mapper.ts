import { EventStoreUnavailableError } from '../../errors/event-store-unavailable.error';
import type { TransactionConflictReason } from '../../errors/transaction-conflict.error';
import { toUnavailableError } from '../sql/unavailable-error';
import { SOCKET_ERROR_CODES } from '../socket-error-codes';

/** Node socket and mysql2 protocol errors that mean the server cannot be reached. */
const NETWORK_CODES = new Set([
  ...SOCKET_ERROR_CODES,
  'PROTOCOL_CONNECTION_LOST',
  'PROTOCOL_SEQUENCE_TIMEOUT',
  'POOL_CLOSED',
]);

/**
 * Server errors that mean "not now" rather than "wrong": too many connections
 * (1040), server shutting down (1053), connection killed (1927), query
 * interrupted by a timeout (1969, 3024), unknown database (1049, not created yet).
 */
const UNAVAILABLE_ERRNOS = new Set([1040, 1053, 1927, 1969, 3024, 1049, 2002, 2003, 2006, 2013]);

const UNAVAILABLE_MESSAGES = [
  'Pool is closed',
  "Can't add new command when connection is in closed state",
  'Connection lost',
  'connect ETIMEDOUT',
];

/** Deadlock (1213) and lock wait timeout (1205): the transaction can simply run again. */
export function isRetryableConflict(error: unknown): boolean {
  const errno = (error as { errno?: unknown } | null)?.errno;
  return errno === 1213 || errno === 1205;
}

/** The reason when `error` (mysql2's, or TypeORM's around it) is a deadlock or a lock wait timeout. */
export function mysqlConflictReason(error: unknown): TransactionConflictReason | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const { errno, driverError } = error as { errno?: unknown; driverError?: unknown };
  if (errno === 1213) return 'deadlock';
  if (errno === 1205) return 'lock-wait-timeout';
  return driverError !== undefined && driverError !== error
    ? mysqlConflictReason(driverError)
    : undefined;
}

/** True when `error` means the database could not be reached or did not answer in time. */
export function isMysqlUnavailable(error: unknown): boolean {
  if (error instanceof EventStoreUnavailableError) return true;
  if (typeof error !== 'object' || error === null) return false;
  const { code, errno, message, driverError } = error as {
    code?: unknown;
    errno?: unknown;
    message?: unknown;
    driverError?: unknown;
  };
  if (driverError !== undefined && driverError !== error && isMysqlUnavailable(driverError)) {
    return true;
  }
  if (typeof code === 'string' && NETWORK_CODES.has(code)) return true;
  if (typeof errno === 'number' && UNAVAILABLE_ERRNOS.has(errno)) return true;
  if (error instanceof AggregateError) return error.errors.some(isMysqlUnavailable);
  return typeof message === 'string' && UNAVAILABLE_MESSAGES.some((text) => message.includes(text));
}

/** Turns connection failures and timeouts into `EventStoreUnavailableError`; other errors pass. */
export function mapMysqlError(error: unknown, during: string): unknown {
  return toUnavailableError(error, during, isMysqlUnavailable);
}
