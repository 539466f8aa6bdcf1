import {
  isMysqlInvalidInput,
  isPostgresInvalidInput,
} from '@cello/core/storage/invalid-input-errors';

function pgError(code: string): Error {
  return Object.assign(new Error(`SQLSTATE ${code}`), { code });
}

function mysqlError(errno: number, sqlState: string, code = 'ER_X'): Error {
  return Object.assign(new Error(`errno ${errno}`), { errno, sqlState, code });
}

describe('storage input errors', () => {
  describe('when PostgreSQL refused a value', () => {
    it.each(['22P02', '22P05', '22021', '22003', '22001', '23505', '23502', '23514'])(
      'should call SQLSTATE %s invalid input',
      (code) => {
        expect(isPostgresInvalidInput(pgError(code))).toBe(true);
      },
    );

    it('should find the code through a TypeORM driverError or a cause', () => {
      expect(isPostgresInvalidInput({ driverError: pgError('22P05') })).toBe(true);
      expect(isPostgresInvalidInput(new Error('wrapped', { cause: pgError('23514') }))).toBe(true);
    });
  });

  describe('when PostgreSQL could not be reached', () => {
    it.each(['08006', '08001', '57P01', '57014', '53300', '40001', '40P01', 'ECONNREFUSED'])(
      'should not call %s invalid input',
      (code) => {
        expect(isPostgresInvalidInput(pgError(code))).toBe(false);
      },
    );

    it('should not call errors without a code invalid input', () => {
      expect(isPostgresInvalidInput(new Error('Connection terminated unexpectedly'))).toBe(false);
      expect(isPostgresInvalidInput(undefined)).toBe(false);
    });
  });

  describe('when MySQL or MariaDB refused a value', () => {
    it.each([
      [3140, '22032'],
      [4025, '23000'],
      [1406, '22001'],
      [1264, '22003'],
      [1366, 'HY000'],
      [1292, 'HY000'],
      [1048, '23000'],
    ])('should call errno %s (SQLSTATE %s) invalid input', (errno, sqlState) => {
      expect(isMysqlInvalidInput(mysqlError(errno, sqlState))).toBe(true);
      expect(isMysqlInvalidInput({ driverError: mysqlError(errno, sqlState) })).toBe(true);
    });
  });

  describe('when MySQL or MariaDB could not be reached or lost a lock', () => {
    it.each([
      [1213, '40001'],
      [1205, 'HY000'],
      [1040, '08004'],
      [2013, 'HY000'],
      [1053, '08S01'],
    ])('should not call errno %s (SQLSTATE %s) invalid input', (errno, sqlState) => {
      expect(isMysqlInvalidInput(mysqlError(errno, sqlState))).toBe(false);
    });

    it('should not call socket errors invalid input', () => {
      const refused = Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
      expect(isMysqlInvalidInput(refused)).toBe(false);
    });
  });
});
