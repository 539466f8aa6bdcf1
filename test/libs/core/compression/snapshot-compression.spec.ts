import { SnapshotCorruptError, isCelloError } from '@cello/core';
import { compressSnapshot, decompressSnapshot } from '@cello/core/internal';

function caught(run: () => unknown): unknown {
  try {
    run();
  } catch (error) {
    return error;
  }
  throw new Error('expected the call to throw');
}

describe('snapshot compression through the native binding', () => {
  const state = Buffer.from(
    JSON.stringify({
      id: 'order-1',
      status: 'shipped',
      lines: Array(50).fill({ sku: 'A-1', qty: 2 }),
    }),
  );

  describe('when a state is compressed and decompressed', () => {
    it('should give back the same bytes', () => {
      // When
      const restored = decompressSnapshot(compressSnapshot(state));
      // Then
      expect(restored.equals(state)).toBe(true);
    });

    it('should shrink a repetitive state', () => {
      expect(compressSnapshot(state).length).toBeLessThan(state.length / 4);
    });

    it('should round-trip an empty state', () => {
      expect(decompressSnapshot(compressSnapshot(Buffer.alloc(0))).length).toBe(0);
    });
  });

  describe('when the compressed bytes are damaged', () => {
    it('should throw SnapshotCorruptError on a flipped bit', () => {
      // Given
      const packed = compressSnapshot(state);
      packed[packed.length - 1] ^= 0x01;
      // When
      const error = caught(() => decompressSnapshot(packed));
      // Then
      expect(error).toBeInstanceOf(SnapshotCorruptError);
      expect(isCelloError(error, 'snapshot-corrupt')).toBe(true);
    });

    it('should throw SnapshotCorruptError naming a truncated buffer', () => {
      const error = caught(() => decompressSnapshot(Buffer.from([1, 2, 3])));
      expect(error).toBeInstanceOf(SnapshotCorruptError);
      expect((error as Error).message).toMatch(/shorter than its 5-byte header/);
    });

    it('should throw SnapshotCorruptError on bytes that were never a snapshot', () => {
      const error = caught(() => decompressSnapshot(Buffer.from('{"plain":"json"}')));
      expect(error).toBeInstanceOf(SnapshotCorruptError);
      expect((error as Error).message).toMatch(/format 123 is unknown/);
    });
  });
});
