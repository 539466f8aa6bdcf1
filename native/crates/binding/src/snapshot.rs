//! JavaScript face of cello_core::snapshot.

use cello_core::snapshot;
use napi::bindgen_prelude::Buffer;
use napi_derive::napi;

use crate::errors::coded;

/// Compresses a serialized aggregate state (LZ4 block with a CRC32C).
#[napi]
pub fn compress_snapshot(bytes: &[u8]) -> Buffer {
    snapshot::compress(bytes).into()
}

/// Restores the bytes given to `compressSnapshot`.
/// Fails with `[snapshot-corrupt]` saying how the bytes were damaged.
#[napi]
pub fn decompress_snapshot(bytes: &[u8]) -> napi::Result<Buffer> {
    snapshot::decompress(bytes)
        .map(Buffer::from)
        .map_err(|err| coded("snapshot-corrupt", err))
}
