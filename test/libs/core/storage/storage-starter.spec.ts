import { StorageStarter } from '@cello/core/internal';
import { waitUntil } from '../../../support/eventually';

class Outage extends Error {}

function recordingLogger() {
  const lines: string[] = [];
  return {
    lines,
    warn: (message: string) => lines.push(`warn ${message}`),
    log: (message: string) => lines.push(`log ${message}`),
  };
}

describe('StorageStarter', () => {
  describe('when the database answers at once', () => {
    it('should start connected and log nothing', async () => {
      // Given
      const logger = recordingLogger();
      let attempts = 0;
      const starter = new StorageStarter({
        name: 'Store',
        connect: async () => void attempts++,
        isOutage: () => true,
        logger,
        meanwhile: 'calls fail',
      });
      // When
      await starter.start();
      // Then
      expect(starter.started).toBe(true);
      expect(attempts).toBe(1);
      expect(logger.lines).toEqual([]);
      await starter.stop();
    });
  });

  describe('when the database is down at start-up', () => {
    it('should start anyway, warn once without secrets, and connect when it comes back', async () => {
      // Given: the first two attempts fail
      const logger = recordingLogger();
      let attempts = 0;
      const starter = new StorageStarter({
        name: 'Store',
        connect: async () => {
          if (++attempts <= 2)
            throw new Outage('connect to postgres://app:hunter2@db:5432/x failed');
        },
        isOutage: (error) => error instanceof Outage,
        logger,
        meanwhile: 'calls fail',
        retryIntervalMs: 10,
      });
      // When
      await starter.start();
      // Then
      expect(starter.started).toBe(false);
      expect(logger.lines).toHaveLength(1);
      expect(logger.lines[0]).toMatch(/^warn Store is unreachable/);
      expect(logger.lines[0]).not.toContain('hunter2');
      await waitUntil('the starter connected', () => starter.started, 10_000);
      expect(attempts).toBe(3);
      await waitUntil('the recovery is logged', () => logger.lines.length === 2, 10_000);
      expect(logger.lines[1]).toBe('log Store reachable again: connected');
      await starter.stop();
    });

    it('should stop retrying once stopped', async () => {
      // Given
      let attempts = 0;
      const starter = new StorageStarter({
        name: 'Store',
        connect: async () => {
          attempts++;
          throw new Outage('down');
        },
        isOutage: () => true,
        logger: recordingLogger(),
        meanwhile: 'calls fail',
        retryIntervalMs: 5,
      });
      await starter.start();
      await waitUntil('a retry ran', () => attempts >= 2, 10_000);
      // When
      await starter.stop();
      const after = attempts;
      await new Promise((resolve) => setImmediate(resolve));
      // Then: no timer is left to fire
      expect(attempts).toBe(after);
      expect(starter.started).toBe(false);
    });
  });

  describe('when the error is a mistake rather than an outage', () => {
    it('should fail start-up with it', async () => {
      const starter = new StorageStarter({
        name: 'Store',
        connect: () => Promise.reject(new TypeError('bad option')),
        isOutage: (error) => error instanceof Outage,
        logger: recordingLogger(),
        meanwhile: 'calls fail',
      });
      await expect(starter.start()).rejects.toThrow('bad option');
    });
  });

  describe('when two callers attempt at once', () => {
    it('should share one connection attempt', async () => {
      let attempts = 0;
      const starter = new StorageStarter({
        name: 'Store',
        connect: async () => void attempts++,
        isOutage: () => true,
        logger: recordingLogger(),
        meanwhile: 'calls fail',
      });
      await Promise.all([starter.connect(), starter.connect()]);
      expect(attempts).toBe(1);
    });
  });
});
