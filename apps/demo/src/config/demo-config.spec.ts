import { DemoConfig } from './demo-config';
import { DemoConfigError } from './demo-config-error';

describe('DemoConfig.fromEnv', () => {
  describe('when the environment is empty', () => {
    it('should run embedded in memory on port 3000 with no delay and no failures', () => {
      const config = DemoConfig.fromEnv({});
      expect(config.usesPostgres).toBe(false);
      expect(config.port).toBe(3000);
      expect(config.stepDelayMs).toBe(0);
      expect(config.transientFailureRate).toBe(0);
    });
  });

  describe('when every variable is set', () => {
    it('should read them and keep the password out of the logged URL', () => {
      const config = DemoConfig.fromEnv({
        DATABASE_URL: 'postgresql://u:secret@db:5432/shop',
        PORT: '8080',
        DEMO_STEP_DELAY_MS: '250',
        DEMO_TRANSIENT_FAILURE_RATE: '0.25',
      });
      expect(config.usesPostgres).toBe(true);
      expect(config.port).toBe(8080);
      expect(config.stepDelayMs).toBe(250);
      expect(config.transientFailureRate).toBe(0.25);
      expect(config.redactedDatabaseUrl).toBe('postgresql://***@db:5432/shop');
    });
  });

  describe('when DATABASE_URL is a MySQL URL', () => {
    it('should keep everything there, read model and ledger included', () => {
      const config = DemoConfig.fromEnv({ DATABASE_URL: 'mysql://u:secret@db:3306/shop' });
      expect(config.databaseUrl).toBe('mysql://u:secret@db:3306/shop');
      expect(config.usesPostgres).toBe(false);
      expect(config.usesMysql).toBe(true);
      expect(DemoConfig.fromEnv({ DATABASE_URL: 'mariadb://u@db/shop' }).usesMysql).toBe(true);
      expect(DemoConfig.fromEnv({}).usesMysql).toBe(false);
    });
  });

  describe('when a value cannot be used', () => {
    it.each([
      [{ DATABASE_URL: 'mongodb://db/shop' }, 'DATABASE_URL'],
      [{ DATABASE_URL: 'not a url' }, 'DATABASE_URL'],
      [{ PORT: 'eighty' }, 'PORT'],
      [{ DEMO_STEP_DELAY_MS: '-1' }, 'DEMO_STEP_DELAY_MS'],
      [{ DEMO_TRANSIENT_FAILURE_RATE: '1.5' }, 'DEMO_TRANSIENT_FAILURE_RATE'],
    ])('should fail naming the variable for %j', (env, variable) => {
      expect(() => DemoConfig.fromEnv(env)).toThrow(DemoConfigError);
      expect(() => DemoConfig.fromEnv(env)).toThrow(new RegExp(`^${variable}: `));
    });
  });
});
