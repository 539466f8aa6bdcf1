import { FrameCorruptError } from '../errors/frame-corrupt.error';
import { callNative, native } from '../native/native-binding';
import { NativeError } from '../errors/native-error';

/** CRC32C (Castagnoli) of `bytes`, computed in the Rust core. */
export function crc32c(bytes: Uint8Array): number {
  return native.crc32c(bytes);
}

/**
 * Packs payloads into one buffer of length-prefixed, checksummed frames.
 * One crossing into Rust for the whole batch.
 */
export function encodeFrames(payloads: readonly Uint8Array[]): Buffer {
  return native.encodeFrames(payloads as Uint8Array[]);
}

/** Splits a buffer made by {@link encodeFrames}; damaged bytes throw {@link FrameCorruptError}. */
export function decodeFrames(buffer: Uint8Array): Buffer[] {
  try {
    return callNative(() => native.decodeFrames(buffer));
  } catch (error) {
    if (error instanceof NativeError && error.code === FrameCorruptError.code) {
      throw new FrameCorruptError(error.message);
    }
    throw error;
  }
}
