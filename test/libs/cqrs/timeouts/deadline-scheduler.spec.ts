import type { Deadline, DeadlineQueue } from '@cello/cqrs/timeouts/deadline-queue';
import { DeadlineScheduler } from '@cello/cqrs/timeouts/deadline-scheduler';

class Recorded implements Deadline {
  prev: Deadline | null = null;
  next: Deadline | null = null;
  dueTick = 0;
  queue: DeadlineQueue | null = null;

  constructor(
    readonly name: string,
    private readonly expired: string[],
  ) {}

  expire(): void {
    this.expired.push(this.name);
  }
}

describe('DeadlineScheduler', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  describe('when deadlines pass', () => {
    it('should expire them in order, never before their limit, and stop ticking when idle', () => {
      // Given
      const scheduler = new DeadlineScheduler(10);
      const expired: string[] = [];
      const queue = scheduler.queueFor(50);
      queue.add(new Recorded('a', expired));
      jest.advanceTimersByTime(5);
      queue.add(new Recorded('b', expired));
      // When / Then: not before 50 ms
      jest.advanceTimersByTime(44);
      expect(expired).toEqual([]);
      // And both by their limit plus one tick
      jest.advanceTimersByTime(5 + 50 + 10);
      expect(expired).toEqual(['a', 'b']);
      expect(jest.getTimerCount()).toBe(0);
    });
  });

  describe('when a deadline is removed before it passes', () => {
    it('should never expire it, and keep the others', () => {
      // Given
      const scheduler = new DeadlineScheduler(10);
      const expired: string[] = [];
      const queue = scheduler.queueFor(30);
      const first = new Recorded('first', expired);
      const middle = new Recorded('middle', expired);
      const last = new Recorded('last', expired);
      queue.add(first);
      queue.add(middle);
      queue.add(last);
      // When
      queue.remove(middle);
      queue.remove(first);
      jest.advanceTimersByTime(100);
      // Then
      expect(expired).toEqual(['last']);
    });
  });

  describe('when queues have different limits', () => {
    it('should expire each by its own limit', () => {
      // Given
      const scheduler = new DeadlineScheduler(5);
      const expired: string[] = [];
      scheduler.queueFor(100).add(new Recorded('slow', expired));
      scheduler.queueFor(20).add(new Recorded('fast', expired));
      // When
      jest.advanceTimersByTime(40);
      // Then
      expect(expired).toEqual(['fast']);
      jest.advanceTimersByTime(80);
      expect(expired).toEqual(['fast', 'slow']);
    });
  });
});
