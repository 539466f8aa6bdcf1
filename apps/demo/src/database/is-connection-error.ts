/** Socket errors, PostgreSQL's connection-class SQLSTATEs and MySQL's lost connections: the database is down, not the query wrong. */
const CONNECTION_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'ETIMEDOUT',
  'EPIPE',
  '57P01', // admin_shutdown
  '57P02', // crash_shutdown
  '57P03', // cannot_connect_now
  'PROTOCOL_CONNECTION_LOST', // MySQL: the server closed the connection
  'ER_CON_COUNT_ERROR',
  'ER_SERVER_SHUTDOWN',
]);

/** True when `error` says the database could not be reached (as opposed to a bad query). */
export function isConnectionError(error: unknown): boolean {
  const { code, message } = (error ?? {}) as { code?: unknown; message?: unknown };
  if (typeof code === 'string' && (CONNECTION_CODES.has(code) || code.startsWith('08')))
    return true;
  return typeof message === 'string' && /Connection terminated|connect ECONNREFUSED/.test(message);
}
