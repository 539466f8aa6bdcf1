import { isCelloError } from '@cello/core';
import { ConcurrencyError } from '../../errors/concurrency.error';
import { newStreamId, anEvent, anEvents } from './contract-fixtures';
import { readAllFrom } from './contract-reads';
import { ACCEPTED_EXPECTED_VERSIONS, REFUSED_EXPECTED_VERSIONS } from './expected-version-cases';
import type { StorageUnderTest } from './storage-under-test';

/** The contract cases when the expected version is checked. */
export function describeExpectedVersion(subject: StorageUnderTest): void {
  describe('when the expected version is checked', () => {
    it.each(ACCEPTED_EXPECTED_VERSIONS)('should accept %s', async (_label, expected, existing) => {
      // Given
      const streamId = newStreamId();
      if (existing > 0) await subject.storage.append(streamId, anEvents(existing), 'no_stream');

      // When
      const result = await subject.storage.append(streamId, [anEvent({})], expected);

      // Then
      expect(result.streamVersion).toBe(existing + 1);
      expect(await subject.storage.streamVersion(streamId)).toBe(existing + 1);
    });

    it.each(REFUSED_EXPECTED_VERSIONS)(
      'should reject %s with a ConcurrencyError and write nothing',
      async (_label, expected, existing) => {
        // Given
        const streamId = newStreamId();
        if (existing > 0) await subject.storage.append(streamId, anEvents(existing), 'no_stream');
        const headBefore = await subject.storage.headPosition();
        const event = anEvent({});

        // When
        const error = await subject.storage.append(streamId, [event, anEvent({})], expected).then(
          () => undefined,
          (err: unknown) => err,
        );

        // Then
        expect(isCelloError(error, ConcurrencyError.code)).toBe(true);
        expect(error).toMatchObject({ streamId, expected, actual: existing });
        expect((error as Error).message).toContain(streamId);
        expect(await subject.storage.streamVersion(streamId)).toBe(existing);
        expect(await subject.storage.readStream(streamId)).toHaveLength(existing);
        const after = await readAllFrom(subject.storage, headBefore + 1);
        expect(after.map((e) => e.eventId)).not.toContain(event.eventId);
      },
    );
  });
}
