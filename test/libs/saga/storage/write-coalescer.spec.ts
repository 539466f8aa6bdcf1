import { WriteCoalescer } from '@cello/saga/storage/sql/write-coalescer';

describe('WriteCoalescer', () => {
  function setup(maxInFlight = 2) {
    const sent: string[][] = [];
    const release: (() => void)[] = [];
    const coalescer = new WriteCoalescer<string, boolean>(
      (items) => {
        sent.push(items);
        return new Promise<boolean[]>((resolve) =>
          release.push(() => resolve(items.map(() => true))),
        );
      },
      256,
      maxInFlight,
    );
    return { coalescer, sent, release };
  }

  /** Lets promise continuations run, as a saga's do between one write and its next. */
  async function microtasks(n = 10): Promise<void> {
    for (let i = 0; i < n; i += 1) await Promise.resolve();
  }

  function turn(): Promise<void> {
    return new Promise((resolve) => setImmediate(resolve));
  }

  describe('when writes are queued by promise continuations of the same turn', () => {
    it('should send them as one batch, not the first alone', async () => {
      // Given: sagas resumed by one commit queue their next writes a few microtasks apart
      const { coalescer, sent, release } = setup();

      // When
      const writes = ['a', 'b', 'c'].map(async (id, i) => {
        await microtasks(i * 3);
        return coalescer.submit(id);
      });
      await turn();
      await turn();

      // Then
      expect(sent).toEqual([['a', 'b', 'c']]);
      release.forEach((r) => r());
      await expect(Promise.all(writes)).resolves.toEqual([true, true, true]);
    });
  });

  describe('when writes arrive while every slot is in flight', () => {
    it('should send them together once a slot is free, in order', async () => {
      // Given
      const { coalescer, sent, release } = setup(1);
      const first = coalescer.submit('a');
      await turn();
      expect(sent).toEqual([['a']]);

      // When
      const later = [coalescer.submit('b'), coalescer.submit('c')];
      await turn();
      expect(sent).toHaveLength(1);
      release.shift()!();
      await first;
      await turn();
      await turn();

      // Then
      expect(sent).toEqual([['a'], ['b', 'c']]);
      release.shift()!();
      await expect(Promise.all(later)).resolves.toEqual([true, true]);
    });
  });
});
