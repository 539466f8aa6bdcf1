import { newStreamId, newProcessor, anEvents } from './contract-fixtures';
import type { StorageUnderTest } from './storage-under-test';

/** The contract cases when events are parked. */
export function describeParkedEvents(subject: StorageUnderTest): void {
  describe('when events are parked', () => {
    it('should list them per processor, oldest first, with the error, and remove them', async () => {
      // Given
      const streamId = newStreamId();
      await subject.storage.append(streamId, anEvents(2), 'no_stream');
      const [e1, e2] = await subject.storage.readStream(streamId);
      const processor = newProcessor();
      const other = newProcessor();

      // When
      await subject.storage.parkEvent(processor, e1, 'Error: boom', 5);
      await subject.storage.parkEvent(other, e1, 'Error: other', 2);
      await subject.storage.parkEvent(processor, e2, 'Error: bang', 3);

      // Then
      const parked = await subject.storage.listParked(processor);
      expect(parked).toHaveLength(2);
      expect(parked[0]).toMatchObject({
        processor,
        position: e1.position,
        eventId: e1.eventId,
        streamId,
        type: e1.type,
        error: 'Error: boom',
        attempts: 5,
      });
      expect(parked[0].parkedAt).toBeInstanceOf(Date);
      expect(parked[1]).toMatchObject({ position: e2.position, error: 'Error: bang' });
      const all = await subject.storage.listParked();
      expect(all.filter((p) => p.processor === processor || p.processor === other)).toHaveLength(3);

      await subject.storage.removeParked(parked[0].id);
      expect((await subject.storage.listParked(processor)).map((p) => p.eventId)).toEqual([
        e2.eventId,
      ]);
    });
  });
}
