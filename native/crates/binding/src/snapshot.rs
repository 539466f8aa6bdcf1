//! JavaScript face of cello_core::snapshot.

use cello_core::snapshot;
use napi::bindgen_prelude::BufferSlice;
use napi::Env;
use napi_derive::napi;

use crate::errors::{coded, guard};

// Results are copied into a V8-owned Buffer rather than lent as an external
// one: snapshots are a few KB, and an external Buffer's finalizer and GC
// bookkeeping cost more than the copy (measured in bench/native).

/// Compresses a serialized aggregate state (LZ4 block with a CRC32C).
#[napi]
pub fn compress_snapshot<'env>(env: &'env Env, bytes: &[u8]) -> napi::Result<BufferSlice<'env>> {
    guard("compressSnapshot", || {
        BufferSlice::copy_from(env, snapshot::compress(bytes))
    })
}

/// Restores the bytes given to `compressSnapshot`.
/// Fails with `[snapshot-corrupt]` saying how the bytes were damaged.
#[napi]
pub fn decompress_snapshot<'env>(env: &'env Env, bytes: &[u8]) -> napi::Result<BufferSlice<'env>> {
    guard("decompressSnapshot", || {
        let state = snapshot::decompress(bytes).map_err(|err| coded("snapshot-corrupt", err))?;
        BufferSlice::copy_from(env, state)
    })
}
