import { randomUUID } from 'node:crypto';
import type { AppendResult, EventToAppend } from '@cello/event-sourcing/store/event-storage';
import {
  AppendCoalescer,
  type QueuedAppend,
} from '@cello/event-sourcing/store/sql/append-coalescer';

describe('AppendCoalescer', () => {
  function setup(maxInFlight = 1, maxEvents = 100) {
    const sent: QueuedAppend[][] = [];
    const release: (() => void)[] = [];
    const coalescer = new AppendCoalescer(
      (batch) => {
        sent.push(batch);
        return new Promise<void>((resolve) => {
          release.push(() => {
            for (const append of batch) append.resolve(RESULT);
            resolve();
          });
        });
      },
      maxInFlight,
      maxEvents,
    );
    const append = (streamId: string, events: EventToAppend[] = [anEvent()]) =>
      new Promise<AppendResult>((resolve, reject) =>
        coalescer.enqueue({ streamId, events, expected: 'any', resolve, reject }),
      );
    return { coalescer, sent, release, append };
  }

  describe('when appends arrive in the same tick', () => {
    it('should send them as one statement, in order', async () => {
      // Given
      const { coalescer, sent, release, append } = setup();

      // When
      const done = Promise.all([append('a'), append('b'), append('c')]);
      await flushMicrotasks();
      release.forEach((r) => r());
      await done;

      // Then
      expect(sent.map((batch) => batch.map((a) => a.streamId))).toEqual([['a', 'b', 'c']]);
      expect(coalescer.stats).toEqual({ appends: 3, statements: 1 });
    });
  });

  describe('when appends arrive while a statement is in flight', () => {
    it('should queue them and send them together next', async () => {
      // Given
      const { sent, release, append } = setup(1);
      const first = append('a');
      await flushMicrotasks();

      // When
      const later = [append('b'), append('c')];
      await flushMicrotasks();
      expect(sent).toHaveLength(1);
      release.shift()!();
      await first;
      await flushMicrotasks();
      release.shift()!();
      await Promise.all(later);

      // Then
      expect(sent.map((batch) => batch.map((a) => a.streamId))).toEqual([['a'], ['b', 'c']]);
    });
  });

  describe('when two queued appends share an event id', () => {
    it('should send the second in a later statement', async () => {
      // Given
      const { sent, release, append } = setup(2);
      const event = anEvent();

      // When
      const both = Promise.all([append('a', [event]), append('a', [event]), append('b')]);
      await flushMicrotasks();
      while (release.length > 0) {
        release.shift()!();
        await flushMicrotasks();
      }
      await both;

      // Then: the re-send waits for the first's statement (its stream is busy), 'b' passes it
      expect(sent.map((batch) => batch.map((a) => a.streamId))).toEqual([['a'], ['b'], ['a']]);
    });
  });

  describe('when a stream is being written by a statement in flight', () => {
    it('should hold its next appends back, in order, and let other streams pass', async () => {
      // Given two statements may be in flight
      const { sent, release, append } = setup(2);
      const first = append('a');
      await flushMicrotasks();

      // When more appends to 'a' and one to 'b' arrive while 'a' is in flight
      const later = Promise.all([append('a'), append('b'), append('a')]);
      await flushMicrotasks();

      // Then 'b' leaves at once; the appends to 'a' leave together once 'a' is settled
      expect(sent.map((batch) => batch.map((a) => a.streamId))).toEqual([['a'], ['b']]);
      while (release.length > 0) {
        release.shift()!();
        await flushMicrotasks();
      }
      await Promise.all([first, later]);
      expect(sent.map((batch) => batch.map((a) => a.streamId))).toEqual([['a'], ['b'], ['a', 'a']]);
    });
  });

  describe('when the queue holds more events than one statement carries', () => {
    it('should split it at the limit, but send an oversized append alone', async () => {
      // Given
      const { sent, release, append } = setup(1, 3);

      // When
      const all = Promise.all([
        append('big', [anEvent(), anEvent(), anEvent(), anEvent()]),
        append('a', [anEvent(), anEvent()]),
        append('b'),
        append('c'),
      ]);
      await flushMicrotasks();
      while (release.length > 0) {
        release.shift()!();
        await flushMicrotasks();
      }
      await all;

      // Then
      expect(sent.map((batch) => batch.map((a) => a.streamId))).toEqual([
        ['big'],
        ['a', 'b'],
        ['c'],
      ]);
    });
  });

  describe('when it is asked to become idle', () => {
    it('should resolve once every statement has settled', async () => {
      // Given
      const { coalescer, release, append } = setup();
      const pending = append('a');
      await flushMicrotasks();
      let idle = false;
      const whenIdle = coalescer.whenIdle().then(() => (idle = true));

      // When
      await flushMicrotasks();
      expect(idle).toBe(false);
      release.shift()!();
      await pending;
      await whenIdle;

      // Then
      expect(idle).toBe(true);
    });
  });
});

const RESULT: AppendResult = { streamVersion: 1, positions: [1], duplicate: false };

function anEvent(): EventToAppend {
  return { eventId: randomUUID(), type: 'T', schemaVersion: 1, data: '{}', metadata: '{}' };
}

async function flushMicrotasks(): Promise<void> {
  for (let i = 0; i < 10; i++) await Promise.resolve();
}
