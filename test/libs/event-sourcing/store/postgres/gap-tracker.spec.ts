import { GapTracker } from '@cello/event-sourcing/store/postgres/gap-tracker';

describe('GapTracker', () => {
  describe('when positions are contiguous', () => {
    it('should hand out every row and move the safe head', () => {
      // Given
      const tracker = new GapTracker();

      // When
      const safe = tracker.safePrefix(0, [1, 2, 3]);

      // Then
      expect(safe).toEqual({ count: 3 });
      expect(tracker.head).toBe(3);
    });
  });

  describe('when a position is missing', () => {
    it('should stop before it and ask for a marker', () => {
      // Given
      const tracker = new GapTracker();

      // When
      const safe = tracker.safePrefix(1, [1, 2, 4, 5], 100n);

      // Then
      expect(safe).toEqual({ count: 2, gap: { upTo: 3, needsMarker: true } });
      expect(tracker.head).toBe(2);
    });

    it('should keep stopping while a transaction older than the marker may run', () => {
      // Given
      const tracker = new GapTracker();
      tracker.safePrefix(1, [1, 2, 4]);
      tracker.markGap(3, 500n);

      // When a later snapshot still has a transaction older than the marker
      const safe = tracker.safePrefix(1, [1, 2, 4], 499n);

      // Then
      expect(safe).toEqual({ count: 2, gap: { upTo: 3, needsMarker: false } });
    });

    it('should pass it once every transaction older than the marker has ended', () => {
      // Given
      const tracker = new GapTracker();
      tracker.safePrefix(1, [1, 2, 4]);
      tracker.markGap(3, 500n);

      // When
      const safe = tracker.safePrefix(1, [1, 2, 4, 5], 500n);

      // Then
      expect(safe).toEqual({ count: 4 });
      expect(tracker.head).toBe(5);
    });

    it('should not let a marker prove a gap above the one it was taken for', () => {
      // Given a marker for a gap up to 3
      const tracker = new GapTracker();
      tracker.safePrefix(1, [1, 2, 4]);
      tracker.markGap(3, 500n);

      // When position 3 shows up, but 6 is missing below a visible 7
      const safe = tracker.safePrefix(1, [1, 2, 3, 4, 5, 7], 900n);

      // Then
      expect(safe).toEqual({ count: 5, gap: { upTo: 6, needsMarker: true } });
    });

    it('should pass gaps below the safe head without proof', () => {
      // Given position 2 was proven gone earlier
      const tracker = new GapTracker();
      tracker.safePrefix(1, [1, 3]);
      tracker.markGap(2, 10n);
      tracker.safePrefix(1, [1, 3], 10n);

      // When it is read again, without any snapshot
      const safe = tracker.safePrefix(1, [1, 3, 4]);

      // Then
      expect(safe.count).toBe(3);
    });
  });

  describe('when a read starts above the safe head', () => {
    it('should check gaps from its own start and leave the head alone', () => {
      // Given
      const tracker = new GapTracker();

      // When
      const safe = tracker.safePrefix(10, [11, 12]);

      // Then
      expect(safe).toEqual({ count: 0, gap: { upTo: 10, needsMarker: true } });
      expect(tracker.head).toBe(0);
    });
  });
});
