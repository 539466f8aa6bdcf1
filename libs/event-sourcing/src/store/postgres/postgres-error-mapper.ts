import { EventStoreUnavailableError } from '../../errors/event-store-unavailable.error';
import type { TransactionConflictReason } from '../../errors/transaction-conflict.error';
import { toUnavailableError } from '../sql/unavailable-error';
import { SOCKET_ERROR_CODES as NETWORK_CODES } from '../socket-error-codes';

/**
 * SQLSTATEs that mean "not now" rather than "wrong": connection exceptions
 * (08), cancelled by statement_timeout (57014), server shutting down (57P01-03),
 * too many connections (53300), and the database not existing yet (3D000).
 */
const UNAVAILABLE_SQLSTATES = new Set(['57014', '57P01', '57P02', '57P03', '53300', '3D000']);

/** Messages pg and pg-pool throw, without a code, when a connection fails or times out. */
const UNAVAILABLE_MESSAGES = [
  'Connection terminated',
  'timeout exceeded when trying to connect',
  'Query read timeout',
  'Client has encountered a connection error',
  'Connection is closed',
  'Cannot use a pool after calling end',
  'Client was closed',
];

/** True when `error` means the database could not be reached or did not answer in time. */
export function isUnavailable(error: unknown): boolean {
  if (error instanceof EventStoreUnavailableError) return true;
  if (typeof error !== 'object' || error === null) return false;
  const { code, message, driverError } = error as {
    code?: unknown;
    message?: unknown;
    driverError?: unknown;
  };
  if (driverError !== undefined && driverError !== error && isUnavailable(driverError)) return true;
  if (typeof code === 'string') {
    if (NETWORK_CODES.has(code) || UNAVAILABLE_SQLSTATES.has(code) || code.startsWith('08')) {
      return true;
    }
  }
  if (error instanceof AggregateError) return error.errors.some(isUnavailable);
  return typeof message === 'string' && UNAVAILABLE_MESSAGES.some((text) => message.includes(text));
}

/** Turns connection failures and timeouts into `EventStoreUnavailableError`; other errors pass. */
export function mapStorageError(error: unknown, during: string): unknown {
  return toUnavailableError(error, during, isUnavailable);
}

/** SQLSTATEs that end a transaction because it collided with another: run it again. */
const CONFLICT_SQLSTATES: ReadonlyMap<string, TransactionConflictReason> = new Map([
  ['40P01', 'deadlock'],
  ['40001', 'serialization-failure'],
  ['55P03', 'lock-wait-timeout'],
]);

/** The reason when `error` (pg's, or TypeORM's around it) is a deadlock, serialization failure or lock timeout. */
export function postgresConflictReason(error: unknown): TransactionConflictReason | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const { code, driverError } = error as { code?: unknown; driverError?: unknown };
  if (typeof code === 'string' && CONFLICT_SQLSTATES.has(code)) return CONFLICT_SQLSTATES.get(code);
  return driverError !== undefined && driverError !== error
    ? postgresConflictReason(driverError)
    : undefined;
}
