import { InvalidReadOptionsError } from '../../errors/invalid-read-options.error';
import type { ReadAllOptions, ReadStreamOptions } from '../../store/event-storage';
import { eventStoreOver, rejection, newStreamId, anEvents } from './contract-fixtures';
import type { StorageUnderTest } from './storage-under-test';

/** The contract cases when read options are malformed. */
export function describeMalformedReadOptions(subject: StorageUnderTest): void {
  describe('when read options are malformed', () => {
    const malformed: [string, ReadStreamOptions & ReadAllOptions, string, unknown][] = [
      ['a negative fromVersion', { fromVersion: -1 }, 'fromVersion', -1],
      ['a fractional fromVersion', { fromVersion: 1.5 }, 'fromVersion', 1.5],
      ['a NaN fromVersion', { fromVersion: Number.NaN }, 'fromVersion', Number.NaN],
      ['a fromVersion given as text', { fromVersion: '2' as never }, 'fromVersion', '2'],
      ['a negative limit', { limit: -1 }, 'limit', -1],
      ['a fractional limit', { limit: 2.5 }, 'limit', 2.5],
      ['an infinite limit', { limit: Number.POSITIVE_INFINITY }, 'limit', Infinity],
      ['a negative fromPosition', { fromPosition: -5 }, 'fromPosition', -5],
      ['a fractional fromPosition', { fromPosition: 0.5 }, 'fromPosition', 0.5],
    ];
    const streamRead = malformed.filter(([, options]) => !('fromPosition' in options));
    const globalRead = malformed.filter(([, options]) => !('fromVersion' in options));

    it.each(streamRead)(
      'should refuse %s in readStream with InvalidReadOptionsError naming it',
      async (_label, options, option, value) => {
        // Given
        const streamId = newStreamId();
        await subject.storage.append(streamId, anEvents(3), 'no_stream');
        const store = eventStoreOver(subject.storage);

        // When
        const errors = await Promise.all([
          rejection(subject.storage.readStream(streamId, options)),
          rejection(store.readStream(streamId, options)),
          // streamEvents pages by pageSize; it takes fromVersion but no limit.
          ...('fromVersion' in options
            ? [rejection(store.streamEvents(streamId, options).next())]
            : []),
        ]);

        // Then
        for (const error of errors) {
          expect(error).toBeInstanceOf(InvalidReadOptionsError);
          expect(error).toMatchObject({ code: InvalidReadOptionsError.code, option, value });
          expect((error as Error).message).toContain(option);
        }
      },
    );

    it.each(globalRead)(
      'should refuse %s in readAll with InvalidReadOptionsError naming it',
      async (_label, options, option, value) => {
        // Given
        await subject.storage.append(newStreamId(), anEvents(3), 'no_stream');
        const store = eventStoreOver(subject.storage);

        // When
        const errors = await Promise.all([
          rejection(subject.storage.readAll(options)),
          rejection(store.readAll(options)),
        ]);

        // Then
        for (const error of errors) {
          expect(error).toBeInstanceOf(InvalidReadOptionsError);
          expect(error).toMatchObject({ code: InvalidReadOptionsError.code, option, value });
        }
      },
    );

    it('should refuse a streamEvents pageSize below 1', async () => {
      const store = eventStoreOver(subject.storage);
      const error = await rejection(store.streamEvents(newStreamId(), { pageSize: 0 }).next());
      expect(error).toMatchObject({ code: InvalidReadOptionsError.code, option: 'pageSize' });
    });

    it('should treat a limit of 0 as nothing to read', async () => {
      // Given
      const streamId = newStreamId();
      await subject.storage.append(streamId, anEvents(2), 'no_stream');

      // When
      const stream = await subject.storage.readStream(streamId, { limit: 0 });
      const all = await subject.storage.readAll({ limit: 0 });

      // Then
      expect(stream).toEqual([]);
      expect(all).toEqual([]);
    });
  });
}
