//! Snapshot compression.
//!
//! A compressed snapshot is `[format: u8][crc32c: u32 LE][lz4 block, size-prepended]`.
//! The LZ4 block format has no checksum of its own, so a damaged snapshot could
//! decompress "successfully" into garbage; the CRC32C of the original bytes
//! turns that into a clear error instead. The format byte leaves room for
//! another codec later without guessing.

use std::fmt;

use crate::frame::crc32c;

/// Format tag of an LZ4 block with a CRC32C of the uncompressed bytes.
pub const FORMAT_LZ4_CRC32C: u8 = 1;

/// Bytes before the LZ4 block: format tag and checksum.
pub const HEADER_LEN: usize = 5;

/// LZ4 cannot expand data by more than this factor (a run of one byte
/// compresses about 255:1); a header claiming more is damaged, and trusting it
/// would allocate gigabytes before failing.
const MAX_EXPANSION: usize = 256;

/// Why compressed snapshot bytes could not be read back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SnapshotError {
    /// Fewer bytes than the header needs.
    Truncated { len: usize },
    /// The first byte names no known format.
    UnknownFormat { format: u8 },
    /// The size header claims more than LZ4 can produce from this input.
    ImplausibleSize { claimed: usize, compressed: usize },
    /// The LZ4 block itself is malformed.
    Lz4 { detail: String },
    /// Decompressed, but the bytes are not the ones that were compressed.
    ChecksumMismatch { expected: u32, actual: u32 },
}

impl fmt::Display for SnapshotError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SnapshotError::Truncated { len } => {
                write!(
                    f,
                    "snapshot is {len} bytes, shorter than its {HEADER_LEN}-byte header"
                )
            }
            SnapshotError::UnknownFormat { format } => {
                write!(
                    f,
                    "snapshot format {format} is unknown (expected {FORMAT_LZ4_CRC32C})"
                )
            }
            SnapshotError::ImplausibleSize {
                claimed,
                compressed,
            } => write!(
                f,
                "snapshot claims {claimed} uncompressed bytes from {compressed} compressed bytes"
            ),
            SnapshotError::Lz4 { detail } => write!(f, "snapshot LZ4 block is malformed: {detail}"),
            SnapshotError::ChecksumMismatch { expected, actual } => write!(
                f,
                "snapshot checksum is {actual:#010x}, header says {expected:#010x}"
            ),
        }
    }
}

impl std::error::Error for SnapshotError {}

/// Compresses `bytes` (a serialized aggregate state) for storage.
pub fn compress(bytes: &[u8]) -> Vec<u8> {
    let block = lz4_flex::block::compress_prepend_size(bytes);
    let mut out = Vec::with_capacity(HEADER_LEN + block.len());
    out.push(FORMAT_LZ4_CRC32C);
    out.extend_from_slice(&crc32c(bytes).to_le_bytes());
    out.extend_from_slice(&block);
    out
}

/// Restores the bytes given to [`compress`], or says how they were damaged.
pub fn decompress(bytes: &[u8]) -> Result<Vec<u8>, SnapshotError> {
    if bytes.len() < HEADER_LEN + 4 {
        return Err(SnapshotError::Truncated { len: bytes.len() });
    }
    if bytes[0] != FORMAT_LZ4_CRC32C {
        return Err(SnapshotError::UnknownFormat { format: bytes[0] });
    }
    let expected = u32::from_le_bytes(bytes[1..5].try_into().expect("4 bytes"));
    let block = &bytes[HEADER_LEN..];
    let claimed = u32::from_le_bytes(block[0..4].try_into().expect("4 bytes")) as usize;
    let compressed = block.len() - 4;
    if claimed > compressed.saturating_mul(MAX_EXPANSION) + 16 {
        return Err(SnapshotError::ImplausibleSize {
            claimed,
            compressed,
        });
    }
    let out =
        lz4_flex::block::decompress_size_prepended(block).map_err(|e| SnapshotError::Lz4 {
            detail: e.to_string(),
        })?;
    let actual = crc32c(&out);
    if actual != expected {
        return Err(SnapshotError::ChecksumMismatch { expected, actual });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn repetitive_state_gets_smaller() {
        let state =
            br#"{"items":["a","a","a","a","a","a","a","a","a","a","a","a","a","a"]}"#.repeat(50);
        let packed = compress(&state);
        assert!(packed.len() < state.len() / 4, "{} bytes", packed.len());
        assert_eq!(decompress(&packed).unwrap(), state);
    }

    #[test]
    fn empty_state_round_trips() {
        assert_eq!(decompress(&compress(b"")).unwrap(), Vec::<u8>::new());
    }

    #[test]
    fn a_short_buffer_is_truncated() {
        assert_eq!(
            decompress(&[1, 2]),
            Err(SnapshotError::Truncated { len: 2 })
        );
    }

    #[test]
    fn an_unknown_format_is_named() {
        let mut packed = compress(b"{}");
        packed[0] = 9;
        assert_eq!(
            decompress(&packed),
            Err(SnapshotError::UnknownFormat { format: 9 })
        );
    }

    #[test]
    fn a_size_header_claiming_gigabytes_is_refused_before_allocating() {
        let mut packed = compress(b"{\"a\":1}");
        packed[HEADER_LEN..HEADER_LEN + 4].copy_from_slice(&u32::MAX.to_le_bytes());
        assert!(matches!(
            decompress(&packed),
            Err(SnapshotError::ImplausibleSize { .. })
        ));
    }

    #[test]
    fn a_flipped_literal_byte_fails_the_checksum() {
        let state = br#"{"name":"order-1","total":42}"#;
        let mut packed = compress(state);
        let last = packed.len() - 1;
        packed[last] ^= 0x20;
        assert!(matches!(
            decompress(&packed),
            Err(SnapshotError::ChecksumMismatch { .. })
        ));
    }

    #[test]
    fn a_cut_block_is_malformed() {
        let state = br#"{"name":"order-1","total":42,"lines":[1,2,3,4,5,6,7,8,9]}"#;
        let packed = compress(state);
        let err = decompress(&packed[..packed.len() - 10]).unwrap_err();
        assert!(
            matches!(
                err,
                SnapshotError::Lz4 { .. } | SnapshotError::ChecksumMismatch { .. }
            ),
            "{err:?}"
        );
    }

    proptest! {
        #[test]
        fn decompress_returns_what_was_compressed(state in proptest::collection::vec(any::<u8>(), 0..4096)) {
            prop_assert_eq!(decompress(&compress(&state)).unwrap(), state);
        }

        #[test]
        fn damaged_bytes_never_panic(state in proptest::collection::vec(any::<u8>(), 0..512), at in any::<usize>(), bit in 0u8..8) {
            let mut packed = compress(&state);
            let i = at % packed.len();
            packed[i] ^= 1 << bit;
            // Any outcome but a panic or silently wrong bytes.
            if let Ok(out) = decompress(&packed) {
                prop_assert_eq!(out, state);
            }
        }
    }
}
