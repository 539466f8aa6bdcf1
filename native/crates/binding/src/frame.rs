use cello_core::frame::{self, FrameError};
use napi::bindgen_prelude::Buffer;
use napi_derive::napi;

use crate::errors::coded;

fn frame_error(err: FrameError) -> napi::Error {
    coded("frame-corrupt", err)
}

/// CRC32C (Castagnoli) checksum of `bytes`.
#[napi(js_name = "crc32c")]
pub fn crc32c(bytes: &[u8]) -> u32 {
    frame::crc32c(bytes)
}

/// Encodes payloads as length-prefixed, checksummed frames in one buffer:
/// one boundary crossing for a whole batch of events.
#[napi]
pub fn encode_frames(payloads: Vec<&[u8]>) -> Buffer {
    frame::encode_frames(&payloads).into()
}

/// Splits a framed buffer back into its payloads, checking each checksum.
/// Fails with `[frame-corrupt]` naming the byte offset of a bad frame.
#[napi]
pub fn decode_frames(buf: &[u8]) -> napi::Result<Vec<Buffer>> {
    let ranges = frame::frame_ranges(buf).map_err(frame_error)?;
    Ok(ranges.into_iter().map(|r| buf[r].to_vec().into()).collect())
}
