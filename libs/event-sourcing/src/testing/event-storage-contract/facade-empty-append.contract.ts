import { isCelloError } from '@cello/core';
import { ConcurrencyError } from '../../errors/concurrency.error';
import type { ExpectedVersion } from '../../store/event-storage';
import { eventStoreOver, newStreamId, anEvents } from './contract-fixtures';
import type { StorageUnderTest } from './storage-under-test';

/** The contract cases when the EventStore facade appends no events. */
export function describeFacadeEmptyAppend(subject: StorageUnderTest): void {
  describe('when the EventStore facade appends no events', () => {
    it.each<[string, ExpectedVersion, number]>([
      ['no_stream on a new stream', 'no_stream', 0],
      ['0 on a new stream', 0, 0],
      ['any on a new stream', 'any', 0],
      ['any on an existing stream', 'any', 2],
      ['stream_exists on an existing stream', 'stream_exists', 2],
      ['the exact version', 2, 2],
    ])('should accept %s and write nothing', async (_label, expected, existing) => {
      // Given
      const streamId = newStreamId();
      if (existing > 0) await subject.storage.append(streamId, anEvents(existing), 'no_stream');
      const store = eventStoreOver(subject.storage);

      // When
      const result = await store.append(streamId, [], { expectedVersion: expected });

      // Then
      expect(result).toEqual({ streamVersion: existing, positions: [], duplicate: false });
      expect(await subject.storage.streamVersion(streamId)).toBe(existing);
    });

    it.each<[string, ExpectedVersion, number]>([
      ['no_stream on an existing stream', 'no_stream', 2],
      ['stream_exists on a new stream', 'stream_exists', 0],
      ['a version behind', 1, 2],
      ['a version ahead', 5, 2],
      ['a version on a new stream', 1, 0],
      ['0 on an existing stream', 0, 2],
    ])(
      'should reject %s with a ConcurrencyError, as a non-empty append would',
      async (_label, expected, existing) => {
        // Given
        const streamId = newStreamId();
        if (existing > 0) await subject.storage.append(streamId, anEvents(existing), 'no_stream');
        const store = eventStoreOver(subject.storage);

        // When
        const error = await store.append(streamId, [], { expectedVersion: expected }).then(
          () => undefined,
          (err: unknown) => err,
        );

        // Then
        expect(isCelloError(error, ConcurrencyError.code)).toBe(true);
        expect(error).toMatchObject({ streamId, expected, actual: existing });
        expect(await subject.storage.streamVersion(streamId)).toBe(existing);
      },
    );
  });
}
