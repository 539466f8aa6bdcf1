import { anEvent, newStreamId, range } from './contract-fixtures';
import type { StorageUnderTest } from './storage-under-test';

/** The contract cases when the log is browsed backwards (readBackward, where the backend has it). */
export function describeReadBackward(subject: StorageUnderTest): void {
  describe('when the log is browsed backwards (readBackward, where the backend has it)', () => {
    /** 30 events of one stream, types A, B, C in turn; resolves with their positions. */
    async function given30(): Promise<{ streamId: string; positions: readonly number[] }> {
      const streamId = newStreamId();
      const events = range(1, 30).map((n) => ({ ...anEvent({ n }), type: 'ABC'[(n - 1) % 3] }));
      const result = await subject.storage.append(streamId, events, 'no_stream');
      return { streamId, positions: result.positions };
    }

    it('should return the newest events first, within the positions and limit asked', async () => {
      if (!subject.storage.readBackward)
        return expect(subject.storage.readBackward).toBeUndefined();
      // Given
      const { positions } = await given30();

      // When
      const read = await subject.storage.readBackward({
        toPosition: positions[19],
        fromPosition: positions[10],
        limit: 5,
      });
      const wide = await subject.storage.readBackward({
        toPosition: positions[29],
        fromPosition: positions[25],
        limit: 100,
      });

      // Then
      expect(read.map((e) => e.position)).toEqual(positions.slice(15, 20).reverse());
      expect(read[0]).toMatchObject({ version: 20, type: 'B', data: { n: 20 } });
      expect(wide.map((e) => e.position)).toEqual(positions.slice(25, 30).reverse());
    });

    it('should return only events of the types asked, reading past the others', async () => {
      if (!subject.storage.readBackward)
        return expect(subject.storage.readBackward).toBeUndefined();
      // Given
      const { positions } = await given30();

      // When
      const cs = await subject.storage.readBackward({
        toPosition: positions[29],
        fromPosition: positions[0],
        types: ['C'],
        limit: 4,
      });
      const ab = await subject.storage.readBackward({
        toPosition: positions[5],
        fromPosition: positions[0],
        types: ['A', 'B'],
        limit: 100,
      });
      const none = await subject.storage.readBackward({
        toPosition: positions[29],
        fromPosition: positions[0],
        types: ['Nothing'],
        limit: 10,
      });

      // Then
      expect(cs.map((e) => e.data)).toEqual([{ n: 30 }, { n: 27 }, { n: 24 }, { n: 21 }]);
      expect(ab.map((e) => e.type)).toEqual(['B', 'A', 'B', 'A']);
      expect(none).toEqual([]);
    });

    it("should return only events whose metadata's correlationId is the one asked, exactly", async () => {
      if (!subject.storage.readBackward)
        return expect(subject.storage.readBackward).toBeUndefined();
      // Given: 12 events of three requests in turn, one of them named in other letter cases too
      const streamId = newStreamId();
      const requests = ['request-a', 'request-b', 'Request-A'];
      const events = range(1, 12).map((n) =>
        anEvent({ n }, { correlationId: requests[(n - 1) % 3], causationId: `cause-${n}` }),
      );
      const untagged = anEvent({ n: 13 }, { causationId: 'request-a' });
      const { positions } = await subject.storage.append(
        streamId,
        [...events, untagged],
        'no_stream',
      );

      // When
      const read = (options: { limit: number; from?: number }) =>
        subject.storage.readBackward!({
          toPosition: positions[12],
          fromPosition: positions[options.from ?? 0],
          correlationId: 'request-a',
          limit: options.limit,
        });
      const all = await read({ limit: 100 });
      const newest = await read({ limit: 2 });
      const bounded = await read({ limit: 100, from: 5 });
      const typed = await subject.storage.readBackward({
        toPosition: positions[12],
        fromPosition: positions[0],
        correlationId: 'request-b',
        types: ['Other'],
        limit: 100,
      });

      // Then
      expect(all.map((e) => e.data)).toEqual([{ n: 10 }, { n: 7 }, { n: 4 }, { n: 1 }]);
      expect(all.every((e) => e.metadata.correlationId === 'request-a')).toBe(true);
      expect(newest.map((e) => e.data)).toEqual([{ n: 10 }, { n: 7 }]);
      expect(bounded.map((e) => e.data)).toEqual([{ n: 10 }, { n: 7 }]);
      expect(typed).toEqual([]);
    });

    it('should refuse malformed options with invalid-read-options', async () => {
      if (!subject.storage.readBackward)
        return expect(subject.storage.readBackward).toBeUndefined();
      for (const options of [
        { toPosition: -1, limit: 1 },
        { toPosition: 1.5, limit: 1 },
        { toPosition: 10, fromPosition: Number.NaN, limit: 1 },
        { toPosition: 10, limit: -3 },
        { toPosition: 10, limit: 1, types: 'A' as unknown as string[] },
        { toPosition: 10, limit: 1, correlationId: 42 as unknown as string },
      ]) {
        await expect(subject.storage.readBackward(options)).rejects.toMatchObject({
          code: 'invalid-read-options',
        });
      }
    });
  });
}
