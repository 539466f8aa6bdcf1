use cello_core::frame::{self, FrameError};
use napi::bindgen_prelude::Buffer;
use napi_derive::napi;

use crate::errors::{coded, guard};

fn frame_error(err: FrameError) -> napi::Error {
    coded("frame-corrupt", err)
}

/// CRC32C (Castagnoli) checksum of `bytes`.
#[napi(js_name = "crc32c")]
pub fn crc32c(bytes: &[u8]) -> napi::Result<u32> {
    guard("crc32c", || Ok(frame::crc32c(bytes)))
}

/// Encodes payloads as length-prefixed, checksummed frames in one buffer:
/// one boundary crossing for a whole batch of events.
#[napi]
pub fn encode_frames(payloads: Vec<&[u8]>) -> napi::Result<Buffer> {
    guard(
        "encodeFrames",
        || Ok(frame::encode_frames(&payloads).into()),
    )
}

/// Splits a framed buffer back into its payloads, checking each checksum.
/// Fails with `[frame-corrupt]` naming the byte offset of a bad frame.
#[napi]
pub fn decode_frames(buf: &[u8]) -> napi::Result<Vec<Buffer>> {
    guard("decodeFrames", || {
        let ranges = frame::frame_ranges(buf).map_err(frame_error)?;
        ranges
            .into_iter()
            .map(|r| {
                buf.get(r)
                    .map(|payload| payload.to_vec().into())
                    .ok_or_else(|| coded("frame-corrupt", "a frame runs past the buffer"))
            })
            .collect()
    })
}
