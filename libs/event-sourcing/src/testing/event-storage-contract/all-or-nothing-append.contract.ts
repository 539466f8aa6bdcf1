import { isCelloError } from '@cello/core';
import { InvalidAppendError } from '../../errors/invalid-append.error';
import { newStreamId, anEvent, anEvents } from './contract-fixtures';
import type { StorageUnderTest } from './storage-under-test';

/** The contract cases when an append cannot be stored whole. */
export function describeAllOrNothingAppend(subject: StorageUnderTest): void {
  describe('when an append cannot be stored whole', () => {
    it('should write none of its events when two of them share an id', async () => {
      // Given
      const streamId = newStreamId();
      await subject.storage.append(streamId, [anEvent({})], 'no_stream');
      const first = anEvent({ a: 1 });
      const clash = { ...anEvent({ a: 2 }), eventId: first.eventId };

      // When
      const outcome = await subject.storage.append(streamId, [anEvent({}), first, clash], 1).then(
        () => 'stored',
        () => 'rejected',
      );

      // Then
      expect(outcome).toBe('rejected');
      expect(await subject.storage.streamVersion(streamId)).toBe(1);
      expect(await subject.storage.readStream(streamId)).toHaveLength(1);
    });

    it.each([
      ['an escaped NUL', '{"note":"a\\u0000b"}'],
      ['an escaped lone surrogate', '{"customer_id":"\\ud800x"}'],
      ['a raw lone surrogate', '{"customer_id":"\ud800x"}'],
    ])(
      'should refuse a payload holding %s as invalid input, like every backend, and write nothing',
      async (_, data) => {
        // Given
        const streamId = newStreamId();
        const bad = { ...anEvent({}), data };
        // When
        const error = await subject.storage.append(streamId, [anEvent({}), bad], 'no_stream').then(
          () => undefined,
          (e: unknown) => e,
        );
        // Then
        expect(isCelloError(error, InvalidAppendError.code)).toBe(true);
        expect((error as Error).message).toContain('event #2 data');
        expect(await subject.storage.streamVersion(streamId)).toBe(0);
      },
    );

    it('should keep escaped surrogate pairs and an escaped backslash before u0000', async () => {
      // Given
      const streamId = newStreamId();
      const data = '{"emoji":"\\ud83c\\udf89","path":"C:\\\\u0000"}';
      // When
      await subject.storage.append(streamId, [{ ...anEvent({}), data }], 'no_stream');
      // Then
      const [stored] = await subject.storage.readStream(streamId);
      expect(stored.data).toEqual({ emoji: '🎉', path: 'C:\\u0000' });
    });

    it('should store one of two racing appends whole, never a mix', async () => {
      // Given
      const streamId = newStreamId();
      const left = anEvents(3);
      const right = anEvents(3);

      // When
      await Promise.allSettled([
        subject.storage.append(streamId, left, 'no_stream'),
        subject.storage.append(streamId, right, 'no_stream'),
      ]);

      // Then
      const ids = (await subject.storage.readStream(streamId)).map((e) => e.eventId);
      const winner = ids[0] === left[0].eventId ? left : right;
      expect(ids).toEqual(winner.map((e) => e.eventId));
    });
  });
}
