import { NativeError } from '../errors/native-error';
import { callNative, native } from '../native/native-binding';
import { SnapshotCorruptError } from './snapshot-corrupt.error';

/**
 * Compresses a serialized aggregate state for storage (LZ4 in the Rust core,
 * with a CRC32C of the original bytes so damage is detected on the way back).
 */
export function compressSnapshot(state: Uint8Array): Buffer {
  return callNative(() => native.compressSnapshot(state));
}

/** Restores the bytes given to {@link compressSnapshot}; damaged bytes throw {@link SnapshotCorruptError}. */
export function decompressSnapshot(compressed: Uint8Array): Buffer {
  try {
    return callNative(() => native.decompressSnapshot(compressed));
  } catch (error) {
    if (error instanceof NativeError && error.code === SnapshotCorruptError.code) {
      throw new SnapshotCorruptError(error.message, { cause: error });
    }
    throw error;
  }
}
