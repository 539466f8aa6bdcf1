import { isCelloError } from '@cello/core';
import { ConcurrencyError } from '../../errors/concurrency.error';
import { eventStoreOver, newStreamId, anEvents } from './contract-fixtures';
import { ACCEPTED_EXPECTED_VERSIONS, REFUSED_EXPECTED_VERSIONS } from './expected-version-cases';
import type { StorageUnderTest } from './storage-under-test';

/** The contract cases when the EventStore facade appends no events. */
export function describeFacadeEmptyAppend(subject: StorageUnderTest): void {
  describe('when the EventStore facade appends no events', () => {
    it.each(ACCEPTED_EXPECTED_VERSIONS)(
      'should accept %s and write nothing',
      async (_label, expected, existing) => {
        // Given
        const streamId = newStreamId();
        if (existing > 0) await subject.storage.append(streamId, anEvents(existing), 'no_stream');
        const store = eventStoreOver(subject.storage);

        // When
        const result = await store.append(streamId, [], { expectedVersion: expected });

        // Then
        expect(result).toEqual({ streamVersion: existing, positions: [], duplicate: false });
        expect(await subject.storage.streamVersion(streamId)).toBe(existing);
      },
    );

    it.each(REFUSED_EXPECTED_VERSIONS)(
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
