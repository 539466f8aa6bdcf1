//! Framed records: the on-the-wire and in-memory layout of event batches.
//!
//! A batch is a sequence of frames, each `[length: u32 LE][crc32c: u32 LE][payload]`.
//! The checksum lets a reader tell a torn or corrupted record from a valid
//! one instead of handing garbage to JSON.parse.

use std::fmt;

/// Bytes in a frame header: the payload length and its CRC32C.
pub const HEADER_LEN: usize = 8;

/// Why a buffer could not be read as frames.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FrameError {
    /// The buffer ends inside a header or a payload.
    Truncated { offset: usize },
    /// The payload's checksum does not match its header.
    ChecksumMismatch {
        offset: usize,
        expected: u32,
        actual: u32,
    },
}

impl fmt::Display for FrameError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FrameError::Truncated { offset } => {
                write!(f, "frame at byte {offset} is truncated")
            }
            FrameError::ChecksumMismatch {
                offset,
                expected,
                actual,
            } => write!(
                f,
                "frame at byte {offset} is corrupt: crc32c {actual:#010x}, header says {expected:#010x}"
            ),
        }
    }
}

impl std::error::Error for FrameError {}

/// CRC32C (Castagnoli) of `bytes`, hardware-accelerated where the CPU has it.
pub fn crc32c(bytes: &[u8]) -> u32 {
    crc32c::crc32c(bytes)
}

/// Total encoded size of `payloads`, so the output is allocated once.
pub fn encoded_len<P: AsRef<[u8]>>(payloads: &[P]) -> usize {
    payloads.iter().map(|p| HEADER_LEN + p.as_ref().len()).sum()
}

/// Appends one frame holding `payload` to `out`.
pub fn write_frame(out: &mut Vec<u8>, payload: &[u8]) {
    let len = u32::try_from(payload.len()).expect("a frame payload is at most 4 GiB");
    out.extend_from_slice(&len.to_le_bytes());
    out.extend_from_slice(&crc32c(payload).to_le_bytes());
    out.extend_from_slice(payload);
}

/// Encodes `payloads` as consecutive frames in one buffer.
pub fn encode_frames<P: AsRef<[u8]>>(payloads: &[P]) -> Vec<u8> {
    let mut out = Vec::with_capacity(encoded_len(payloads));
    for payload in payloads {
        write_frame(&mut out, payload.as_ref());
    }
    out
}

/// The byte ranges of the payloads in `buf`, checked against their checksums.
/// Ranges, not copies: callers slice the original buffer.
pub fn frame_ranges(buf: &[u8]) -> Result<Vec<std::ops::Range<usize>>, FrameError> {
    let mut ranges = Vec::new();
    let mut offset = 0;
    while offset < buf.len() {
        let truncated = FrameError::Truncated { offset };
        let start = offset.checked_add(HEADER_LEN).ok_or(truncated.clone())?;
        let header: [u8; HEADER_LEN] = buf
            .get(offset..start)
            .and_then(|h| h.try_into().ok())
            .ok_or(truncated.clone())?;
        let [l0, l1, l2, l3, c0, c1, c2, c3] = header;
        let len = u32::from_le_bytes([l0, l1, l2, l3]) as usize;
        let expected = u32::from_le_bytes([c0, c1, c2, c3]);
        let end = start.checked_add(len).ok_or(truncated.clone())?;
        let payload = buf.get(start..end).ok_or(truncated)?;
        let actual = crc32c(payload);
        if actual != expected {
            return Err(FrameError::ChecksumMismatch {
                offset,
                expected,
                actual,
            });
        }
        ranges.push(start..end);
        offset = end;
    }
    Ok(ranges)
}

/// Decodes `buf` into owned payloads.
pub fn decode_frames(buf: &[u8]) -> Result<Vec<Vec<u8>>, FrameError> {
    Ok(frame_ranges(buf)?
        .into_iter()
        .map(|r| buf[r].to_vec())
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn crc32c_matches_the_published_check_value() {
        // RFC 3720 / iSCSI check value for "123456789".
        assert_eq!(crc32c(b"123456789"), 0xE306_9283);
    }

    #[test]
    fn an_empty_batch_encodes_to_nothing() {
        assert!(encode_frames::<&[u8]>(&[]).is_empty());
        assert_eq!(decode_frames(&[]).unwrap(), Vec::<Vec<u8>>::new());
    }

    #[test]
    fn a_flipped_bit_is_reported_with_its_offset() {
        let mut buf = encode_frames(&[b"first".as_slice(), b"second".as_slice()]);
        let last = buf.len() - 1;
        buf[last] ^= 1;
        match decode_frames(&buf) {
            Err(FrameError::ChecksumMismatch { offset, .. }) => assert_eq!(offset, 13),
            other => panic!("expected a checksum mismatch, got {other:?}"),
        }
    }

    #[test]
    fn a_truncated_buffer_is_reported() {
        let buf = encode_frames(&[b"payload".as_slice()]);
        assert_eq!(
            decode_frames(&buf[..buf.len() - 2]),
            Err(FrameError::Truncated { offset: 0 })
        );
        assert_eq!(
            decode_frames(&buf[..3]),
            Err(FrameError::Truncated { offset: 0 })
        );
    }

    proptest! {
        #[test]
        fn decoding_returns_what_was_encoded(payloads in proptest::collection::vec(proptest::collection::vec(any::<u8>(), 0..64), 0..32)) {
            let buf = encode_frames(&payloads);
            prop_assert_eq!(buf.len(), encoded_len(&payloads));
            prop_assert_eq!(decode_frames(&buf).unwrap(), payloads);
        }

        /// Arbitrary bytes (a damaged batch) are decoded or refused, never a panic.
        #[test]
        fn arbitrary_bytes_are_decoded_or_refused(buf in proptest::collection::vec(any::<u8>(), 0..300)) {
            let _ = decode_frames(&buf);
        }
    }
}
