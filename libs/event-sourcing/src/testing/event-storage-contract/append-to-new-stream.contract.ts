import { randomUUID } from 'node:crypto';
import { newStreamId, anEvent } from './contract-fixtures';
import type { StorageUnderTest } from './storage-under-test';

/** The contract cases when events are appended to a new stream. */
export function describeAppendToNewStream(subject: StorageUnderTest): void {
  describe('when events are appended to a new stream', () => {
    it('should read them back in order with versions, types, payloads and metadata', async () => {
      // Given
      const streamId = newStreamId();
      const events = [
        anEvent({ n: 1, at: '2026-01-01T00:00:00.000Z' }, { correlationId: 'c-1' }),
        anEvent({ n: 2 }),
      ];

      // When
      const result = await subject.storage.append(streamId, events, 'no_stream');

      // Then
      expect(result.duplicate).toBe(false);
      expect(result.streamVersion).toBe(2);
      expect(result.positions).toHaveLength(2);
      expect(result.positions[1]).toBeGreaterThan(result.positions[0]);
      const read = await subject.storage.readStream(streamId);
      expect(read.map((e) => e.version)).toEqual([1, 2]);
      expect(read.map((e) => e.position)).toEqual(result.positions);
      expect(read[0]).toMatchObject({
        streamId,
        eventId: events[0].eventId,
        type: events[0].type,
        schemaVersion: 1,
        data: { n: 1, at: '2026-01-01T00:00:00.000Z' },
        metadata: { correlationId: 'c-1' },
      });
      expect(read[0].recordedAt).toBeInstanceOf(Date);
      expect(Number.isNaN(read[0].recordedAt.getTime())).toBe(false);
      expect(await subject.storage.streamVersion(streamId)).toBe(2);
    });

    it('should keep stream ids and payloads with metacharacters verbatim', async () => {
      // Given
      const streamId = `order-'; DROP TABLE x;--<script>ü-${randomUUID()}`;
      const payload = {
        text: `"quotes" 'single' \\ back <b>html</b> 🎉 \u0001 null`,
        nested: [1],
      };

      // When
      await subject.storage.append(streamId, [anEvent(payload)], 'any');

      // Then
      const [read] = await subject.storage.readStream(streamId);
      expect(read.streamId).toBe(streamId);
      expect(read.data).toEqual(payload);
    });

    it('should keep the schema version of each event', async () => {
      // Given
      const streamId = newStreamId();

      // When
      await subject.storage.append(streamId, [anEvent({ v: 3 }, {}, 3)], 'any');

      // Then
      const [read] = await subject.storage.readStream(streamId);
      expect(read.schemaVersion).toBe(3);
    });
  });
}
