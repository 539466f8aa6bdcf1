import { connect } from 'node:net';
import { DatabaseError } from 'pg';
import { QueryFailedError } from 'typeorm';
import { CommandTimeoutError } from '@cello/cqrs';
import { SagaStorageUnavailableError } from '@cello/saga';
import { EventStoreUnavailableError } from '@cello/event-sourcing/errors/event-store-unavailable.error';
import { InvalidAppendError } from '@cello/event-sourcing/errors/invalid-append.error';
import { TransientError } from '@cello/event-sourcing/errors/transient-error';
import { isTransientError } from '@cello/event-sourcing/subscriptions/transient-error-classifier';

/** A PostgreSQL server error as pg raises it. */
function pgError(code: string, message = `SQLSTATE ${code}`): DatabaseError {
  const error = new DatabaseError(message, message.length, 'error');
  error.code = code;
  return error;
}

/** A MySQL server error as mysql2 raises it (an Error with code, errno and sqlState). */
function mysqlError(code: string, errno: number, sqlState: string): Error {
  return Object.assign(new Error(`${code}: from the server`), { code, errno, sqlState });
}

/** The error of a real connection attempt to a port nobody listens on. */
function refusedConnection(): Promise<Error> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port: 1 });
    socket.on('error', resolve);
  });
}

describe('isTransientError', () => {
  describe('when the connection is lost, refused or timed out', () => {
    it('should be transient for a real refused connection, and wrapped in a cause', async () => {
      const refused = await refusedConnection();
      expect((refused as { code?: string }).code).toBe('ECONNREFUSED');
      expect(isTransientError(refused)).toBe(true);
      expect(isTransientError(new Error('read model write failed', { cause: refused }))).toBe(true);
      expect(isTransientError(new AggregateError([new Error('x'), refused]))).toBe(true);
    });

    it.each(['ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'PROTOCOL_CONNECTION_LOST'])(
      'should be transient for code %s',
      (code) => {
        expect(isTransientError(Object.assign(new Error(code), { code }))).toBe(true);
      },
    );

    it('should be transient for a timeout (AbortSignal.timeout) and pg messages without code', async () => {
      const signal = AbortSignal.timeout(1);
      await new Promise((resolve) => signal.addEventListener('abort', resolve));
      expect(isTransientError(signal.reason)).toBe(true);
      expect(isTransientError(new Error('Connection terminated unexpectedly'))).toBe(true);
      expect(isTransientError(new Error('timeout exceeded when trying to connect'))).toBe(true);
    });
  });

  describe('when PostgreSQL refuses for now', () => {
    it.each([
      ['08006', 'connection failure'],
      ['08001', 'cannot connect now'],
      ['40001', 'serialization failure'],
      ['40P01', 'deadlock'],
      ['57014', 'statement timeout'],
      ['57P01', 'admin shutdown'],
      ['57P03', 'cannot connect now (starting up)'],
      ['53300', 'too many connections'],
      ['53100', 'disk full'],
      ['55P03', 'lock not available'],
    ])('should be transient for SQLSTATE %s (%s), also inside a QueryFailedError', (code) => {
      const error = pgError(code);
      expect(isTransientError(error)).toBe(true);
      expect(isTransientError(new QueryFailedError('UPDATE t SET x = 1', [], error))).toBe(true);
    });

    it.each([
      ['22003', 'numeric value out of range'],
      ['23505', 'unique violation'],
      ['23502', 'not null violation'],
      ['42P01', 'undefined table'],
      ['22P02', 'invalid text representation'],
    ])('should not be transient for SQLSTATE %s (%s)', (code) => {
      const error = pgError(code);
      expect(isTransientError(error)).toBe(false);
      expect(isTransientError(new QueryFailedError('INSERT', [], error))).toBe(false);
    });
  });

  describe('when MySQL refuses for now', () => {
    it.each([
      ['ER_LOCK_DEADLOCK', 1213, '40001'],
      ['ER_LOCK_WAIT_TIMEOUT', 1205, 'HY000'],
      ['ER_CON_COUNT_ERROR', 1040, '08004'],
      ['ER_SERVER_SHUTDOWN', 1053, '08S01'],
    ])('should be transient for %s (%i)', (code, errno, sqlState) => {
      const error = mysqlError(code, errno, sqlState);
      expect(isTransientError(error)).toBe(true);
      expect(isTransientError(new QueryFailedError('UPDATE', [], error))).toBe(true);
    });

    it.each([
      ['ER_DUP_ENTRY', 1062, '23000'],
      ['ER_WARN_DATA_OUT_OF_RANGE', 1264, '22003'],
      ['ER_NO_SUCH_TABLE', 1146, '42S02'],
    ])('should not be transient for %s (%i)', (code, errno, sqlState) => {
      expect(isTransientError(mysqlError(code, errno, sqlState))).toBe(false);
    });
  });

  describe("when Cello's storages are unavailable or the handler says so", () => {
    it('should be transient for unavailable storages, timeouts and TransientError', () => {
      expect(isTransientError(new EventStoreUnavailableError('reading failed'))).toBe(true);
      expect(isTransientError(new SagaStorageUnavailableError('save'))).toBe(true);
      expect(isTransientError(new CommandTimeoutError('ShipOrder', 100))).toBe(true);
      expect(isTransientError(new TransientError('payment service answered 503'))).toBe(true);
      expect(isTransientError(Object.assign(new Error('busy'), { transient: true }))).toBe(true);
    });

    it('should not be transient for other errors, bugs and values that are not errors', () => {
      expect(isTransientError(new InvalidAppendError('order-1', 'no events'))).toBe(false);
      expect(
        isTransientError(new TypeError("Cannot read properties of undefined (reading 'id')")),
      ).toBe(false);
      expect(isTransientError(new Error('mail server refused'))).toBe(false);
      expect(isTransientError('ECONNREFUSED')).toBe(false);
      expect(isTransientError(undefined)).toBe(false);
    });

    it('should stop on a cause chain that loops', () => {
      const a = new Error('a');
      const b = new Error('b', { cause: a });
      (a as { cause?: unknown }).cause = b;
      expect(isTransientError(a)).toBe(false);
    });
  });
});
