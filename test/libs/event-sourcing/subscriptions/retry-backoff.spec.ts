import {
  MAX_RETRY_DELAY_MS,
  retryDelayMs,
} from '@cello/event-sourcing/subscriptions/retry-backoff';

describe('retryDelayMs', () => {
  describe('when attempts follow each other', () => {
    it('should double the delay, within ±50% jitter', () => {
      // Given
      const base = 100;

      // When
      const delays = [1, 2, 3, 4].map((attempt) => retryDelayMs(attempt, base));

      // Then
      delays.forEach((delay, i) => {
        const nominal = base * 2 ** i;
        expect(delay).toBeGreaterThanOrEqual(nominal * 0.5);
        expect(delay).toBeLessThanOrEqual(nominal * 1.5);
      });
    });
  });

  describe('when many attempts failed', () => {
    it('should never wait longer than the cap plus jitter', () => {
      // Given / When
      const delay = retryDelayMs(60, 100);

      // Then
      expect(delay).toBeLessThanOrEqual(MAX_RETRY_DELAY_MS * 1.5);
      expect(retryDelayMs(10, 100, 1000)).toBeLessThanOrEqual(1500);
    });
  });

  describe('when the base delay is 0', () => {
    it('should retry at once', () => {
      expect(retryDelayMs(3, 0)).toBe(0);
    });
  });
});
