import { FrameCorruptError, isCelloError } from '@cello/core';
import { crc32c, decodeFrames, encodeFrames } from '@cello/core/internal';

describe('framed records through the native binding', () => {
  it('computes the published CRC32C check value', () => {
    expect(crc32c(Buffer.from('123456789'))).toBe(0xe3069283);
  });

  it('decodes what it encoded, byte for byte', () => {
    // Given
    const payloads = [Buffer.from('{"a":1}'), Buffer.alloc(0), Buffer.from('héllo ✓')];
    // When
    const decoded = decodeFrames(encodeFrames(payloads));
    // Then
    expect(decoded.map((b) => b.toString('utf8'))).toEqual(payloads.map((b) => b.toString()));
  });

  it('lays each frame out as length, checksum, payload', () => {
    const frame = encodeFrames([Buffer.from('abc')]);
    expect(frame.readUInt32LE(0)).toBe(3);
    expect(frame.readUInt32LE(4)).toBe(crc32c(Buffer.from('abc')));
    expect(frame.subarray(8).toString()).toBe('abc');
  });

  it('rejects a damaged frame with a typed error naming the offset', () => {
    // Given
    const frame = encodeFrames([Buffer.from('first'), Buffer.from('second')]);
    frame[frame.length - 1] ^= 0xff;
    // When
    let caught: unknown;
    try {
      decodeFrames(frame);
    } catch (error) {
      caught = error;
    }
    // Then
    expect(caught).toBeInstanceOf(FrameCorruptError);
    expect(isCelloError(caught, 'frame-corrupt')).toBe(true);
    expect((caught as Error).message).toMatch(/frame at byte 13 is corrupt/);
  });
});
