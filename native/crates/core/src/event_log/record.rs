//! Byte layouts of an append batch (what JavaScript sends) and of a stored
//! record (what the log keeps and JavaScript reads in place). Little endian.
//!
//! An event in a batch is a block:
//! `[schema_version u32][event_id_len u32][type_len u32][data_len u32][metadata_len u32]`
//! followed by the event id, type, data and metadata bytes (UTF-8; data and
//! metadata are JSON text).
//!
//! A stored record is the block, framed by what the log assigns:
//! `[record_len u32][stream_len u32][position f64][version f64][recorded_at_ms f64]
//! [stream_index u32][type_index u32]`, then the event block unchanged, then the
//! stream id bytes. Numbers are f64 so JavaScript reads them with one
//! `readDoubleLE` (exact below 2^53). The stream and type indexes are small
//! dense numbers the log gives each distinct stream id and type name, so a
//! reader can decode each name once and reuse the string.

use std::fmt;

/// Bytes of an event block's header.
pub const BLOCK_HEADER_LEN: usize = 20;
/// Bytes a stored record adds before the event block.
pub const RECORD_PREFIX_LEN: usize = 40;
/// Offset of the event block inside a stored record.
pub const RECORD_BLOCK_OFFSET: usize = RECORD_PREFIX_LEN;

/// One event of an append batch, borrowed from the batch bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EventBlock<'a> {
    /// The whole block, header included: copied into the record as is.
    pub bytes: &'a [u8],
    pub schema_version: u32,
    pub event_id: &'a [u8],
    pub event_type: &'a [u8],
    pub data: &'a [u8],
    pub metadata: &'a [u8],
}

/// Why an append batch could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BatchError {
    /// The bytes end inside event `index`.
    Truncated { index: usize },
    /// Event `index` has an empty id.
    EmptyEventId { index: usize },
    /// Event `index` has an empty type name.
    EmptyType { index: usize },
    /// Event `index` has text that is not UTF-8.
    NotUtf8 { index: usize, field: &'static str },
    /// Event `index` has data or metadata that is not JSON.
    NotJson {
        index: usize,
        field: &'static str,
        detail: String,
    },
}

impl fmt::Display for BatchError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            BatchError::Truncated { index } => {
                write!(f, "event #{index} of the batch is truncated")
            }
            BatchError::EmptyEventId { index } => write!(f, "event #{index} has an empty event id"),
            BatchError::EmptyType { index } => write!(f, "event #{index} has an empty type"),
            BatchError::NotUtf8 { index, field } => {
                write!(f, "event #{index} has a {field} that is not valid UTF-8")
            }
            BatchError::NotJson {
                index,
                field,
                detail,
            } => write!(f, "event #{index} has {field} that is not JSON: {detail}"),
        }
    }
}

impl std::error::Error for BatchError {}

/// A stored record that cannot be read: its bytes were damaged (JavaScript
/// holds a writable Buffer over every chunk) or the position does not exist.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RecordError {
    /// No record is stored at this global position.
    NoSuchPosition { position: u64 },
    /// The record's bytes contradict themselves.
    Corrupt { detail: String },
}

impl fmt::Display for RecordError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RecordError::NoSuchPosition { position } => {
                write!(f, "no record is stored at position {position}")
            }
            RecordError::Corrupt { detail } => write!(f, "a stored record is corrupt: {detail}"),
        }
    }
}

impl std::error::Error for RecordError {}

fn corrupt(detail: impl Into<String>) -> RecordError {
    RecordError::Corrupt {
        detail: detail.into(),
    }
}

/// The little-endian u32 at `at`, or `None` past the end.
fn read_u32(bytes: &[u8], at: usize) -> Option<u32> {
    let word = bytes.get(at..at.checked_add(4)?)?;
    Some(u32::from_le_bytes(word.try_into().ok()?))
}

/// The little-endian f64 at `at`, or `None` past the end.
fn read_f64(bytes: &[u8], at: usize) -> Option<f64> {
    let word = bytes.get(at..at.checked_add(8)?)?;
    Some(f64::from_le_bytes(word.try_into().ok()?))
}

/// The four field lengths of an event block header (`header` holds at least
/// [`BLOCK_HEADER_LEN`] bytes), and their total with the header.
fn block_lens(header: &[u8]) -> Option<([usize; 4], usize)> {
    let mut lens = [0usize; 4];
    for (slot, at) in lens.iter_mut().zip([4, 8, 12, 16]) {
        *slot = read_u32(header, at)? as usize;
    }
    let total = lens
        .iter()
        .try_fold(BLOCK_HEADER_LEN, |acc, len| acc.checked_add(*len))?;
    Some((lens, total))
}

/// Cuts `block` (header included) into its four fields by `lens`.
fn block_fields(block: &[u8], lens: [usize; 4]) -> Option<[&[u8]; 4]> {
    let mut at = BLOCK_HEADER_LEN;
    let mut fields: [&[u8]; 4] = [&[]; 4];
    for (field, len) in fields.iter_mut().zip(lens) {
        let end = at.checked_add(len)?;
        *field = block.get(at..end)?;
        at = end;
    }
    Some(fields)
}

/// Splits an append batch into its events, checking every length.
pub fn parse_batch(bytes: &[u8]) -> Result<Vec<EventBlock<'_>>, BatchError> {
    let mut events = Vec::new();
    let mut offset = 0;
    while offset < bytes.len() {
        let index = events.len();
        let truncated = BatchError::Truncated { index };
        let header = offset
            .checked_add(BLOCK_HEADER_LEN)
            .and_then(|end| bytes.get(offset..end))
            .ok_or(truncated.clone())?;
        let (lens, total) = block_lens(header).ok_or(truncated.clone())?;
        let end = offset
            .checked_add(total)
            .filter(|end| *end <= bytes.len())
            .ok_or(truncated.clone())?;
        let block = bytes.get(offset..end).ok_or(truncated.clone())?;
        let [event_id, event_type, data, metadata] =
            block_fields(block, lens).ok_or(truncated.clone())?;
        let event = EventBlock {
            bytes: block,
            schema_version: read_u32(header, 0).ok_or(truncated)?,
            event_id,
            event_type,
            data,
            metadata,
        };
        if event.event_id.is_empty() {
            return Err(BatchError::EmptyEventId { index });
        }
        if event.event_type.is_empty() {
            return Err(BatchError::EmptyType { index });
        }
        for (field, text) in [
            ("event id", event.event_id),
            ("type", event.event_type),
            ("data", event.data),
            ("metadata", event.metadata),
        ] {
            if std::str::from_utf8(text).is_err() {
                return Err(BatchError::NotUtf8 { index, field });
            }
        }
        // Refused here, as PostgreSQL's jsonb would refuse it, rather than
        // failing every later read of the stream.
        for (field, json) in [("data", event.data), ("metadata", event.metadata)] {
            if let Err(err) = serde_json::from_slice::<serde::de::IgnoredAny>(json) {
                return Err(BatchError::NotJson {
                    index,
                    field,
                    detail: err.to_string(),
                });
            }
        }
        events.push(event);
        offset = end;
    }
    Ok(events)
}

/// Encodes one event as a batch block (what the TypeScript side does).
pub fn encode_block(
    out: &mut Vec<u8>,
    schema_version: u32,
    event_id: &str,
    event_type: &str,
    data: &str,
    metadata: &str,
) {
    out.extend_from_slice(&schema_version.to_le_bytes());
    for field in [event_id, event_type, data, metadata] {
        out.extend_from_slice(&(field.len() as u32).to_le_bytes());
    }
    for field in [event_id, event_type, data, metadata] {
        out.extend_from_slice(field.as_bytes());
    }
}

/// Bytes of the stored record for `block` in stream `stream`.
pub fn record_len(block: &EventBlock<'_>, stream: &str) -> usize {
    RECORD_PREFIX_LEN + block.bytes.len() + stream.len()
}

/// What the log assigns to a record, written in its prefix.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RecordPrefix {
    pub record_len: usize,
    pub stream_len: usize,
    pub position: u64,
    pub version: u64,
    pub recorded_at_ms: f64,
    pub stream_index: u32,
    pub type_index: u32,
}

impl RecordPrefix {
    /// The prefix as stored.
    pub fn to_bytes(&self) -> [u8; RECORD_PREFIX_LEN] {
        let mut prefix = [0u8; RECORD_PREFIX_LEN];
        prefix[0..4].copy_from_slice(&(self.record_len as u32).to_le_bytes());
        prefix[4..8].copy_from_slice(&(self.stream_len as u32).to_le_bytes());
        prefix[8..16].copy_from_slice(&(self.position as f64).to_le_bytes());
        prefix[16..24].copy_from_slice(&(self.version as f64).to_le_bytes());
        prefix[24..32].copy_from_slice(&self.recorded_at_ms.to_le_bytes());
        prefix[32..36].copy_from_slice(&self.stream_index.to_le_bytes());
        prefix[36..40].copy_from_slice(&self.type_index.to_le_bytes());
        prefix
    }
}

/// Length of the record that starts at `bytes[0]`, as its prefix says.
pub fn stored_record_len(bytes: &[u8]) -> Result<usize, RecordError> {
    let len = read_u32(bytes, 0).ok_or_else(|| corrupt("its length is cut off"))? as usize;
    if len < RECORD_PREFIX_LEN + BLOCK_HEADER_LEN {
        return Err(corrupt(format!(
            "its length {len} is shorter than its headers"
        )));
    }
    Ok(len)
}

/// A stored record read in place.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RecordView<'a> {
    pub position: u64,
    pub version: u64,
    pub recorded_at_ms: f64,
    pub stream_index: u32,
    pub type_index: u32,
    pub stream: &'a str,
    pub schema_version: u32,
    pub event_id: &'a [u8],
    pub event_type: &'a [u8],
    pub data: &'a [u8],
    pub metadata: &'a [u8],
}

/// The parts of a stored record that [`RecordView`] and [`ReplayRecord`]
/// share, their lengths checked against each other.
struct RecordParts<'a> {
    block: &'a [u8],
    fields: [&'a [u8]; 4],
    stream: &'a [u8],
}

impl<'a> RecordParts<'a> {
    fn parse(bytes: &'a [u8]) -> Result<Self, RecordError> {
        let len = stored_record_len(bytes)?;
        if len != bytes.len() {
            return Err(corrupt(format!(
                "its length {len} does not match its {} bytes",
                bytes.len()
            )));
        }
        let stream_len = read_u32(bytes, 4).ok_or_else(|| corrupt("cut off"))? as usize;
        let block_end = len
            .checked_sub(stream_len)
            .filter(|end| *end >= RECORD_BLOCK_OFFSET + BLOCK_HEADER_LEN)
            .ok_or_else(|| corrupt(format!("its stream id length {stream_len} is too long")))?;
        let block = bytes
            .get(RECORD_BLOCK_OFFSET..block_end)
            .ok_or_else(|| corrupt("cut off"))?;
        let (lens, total) = block_lens(block).ok_or_else(|| corrupt("its lengths overflow"))?;
        if total != block.len() {
            return Err(corrupt(format!(
                "its fields add up to {total} bytes, not {}",
                block.len()
            )));
        }
        let fields = block_fields(block, lens).ok_or_else(|| corrupt("its fields are cut off"))?;
        let stream = bytes.get(block_end..).ok_or_else(|| corrupt("cut off"))?;
        Ok(RecordParts {
            block,
            fields,
            stream,
        })
    }

    fn schema_version(&self) -> Result<u32, RecordError> {
        read_u32(self.block, 0).ok_or_else(|| corrupt("cut off"))
    }
}

fn number_at(bytes: &[u8], at: usize) -> Result<f64, RecordError> {
    read_f64(bytes, at).ok_or_else(|| corrupt("cut off"))
}

fn word_at(bytes: &[u8], at: usize) -> Result<u32, RecordError> {
    read_u32(bytes, at).ok_or_else(|| corrupt("cut off"))
}

/// What a replay reads of a stored record: no stream id (the reader named
/// it), so nothing to check as UTF-8 but what is copied out.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ReplayRecord<'a> {
    pub position: u64,
    pub type_index: u32,
    pub schema_version: u32,
    pub event_id: &'a [u8],
    pub data: &'a [u8],
    pub metadata: &'a [u8],
}

impl<'a> ReplayRecord<'a> {
    /// Reads the record occupying exactly `bytes`, checked as [`RecordView::parse`] does.
    pub fn parse(bytes: &'a [u8]) -> Result<Self, RecordError> {
        let parts = RecordParts::parse(bytes)?;
        let [event_id, _, data, metadata] = parts.fields;
        Ok(ReplayRecord {
            // `as` saturates (NaN reads as 0): a damaged number is wrong, not a panic.
            position: number_at(bytes, 8)? as u64,
            type_index: word_at(bytes, 36)?,
            schema_version: parts.schema_version()?,
            event_id,
            data,
            metadata,
        })
    }
}

impl<'a> RecordView<'a> {
    /// Reads the record occupying exactly `bytes`; every length in it is
    /// checked against the others, so damaged bytes are an error.
    pub fn parse(bytes: &'a [u8]) -> Result<Self, RecordError> {
        let parts = RecordParts::parse(bytes)?;
        let [event_id, event_type, data, metadata] = parts.fields;
        let stream =
            std::str::from_utf8(parts.stream).map_err(|_| corrupt("its stream id is not UTF-8"))?;
        Ok(RecordView {
            // `as` saturates (NaN reads as 0): a damaged number is wrong, not a panic.
            position: number_at(bytes, 8)? as u64,
            version: number_at(bytes, 16)? as u64,
            recorded_at_ms: number_at(bytes, 24)?,
            stream_index: word_at(bytes, 32)?,
            type_index: word_at(bytes, 36)?,
            stream,
            schema_version: parts.schema_version()?,
            event_id,
            event_type,
            data,
            metadata,
        })
    }

    /// The event id of the record occupying `bytes`, without parsing the rest.
    pub fn event_id_of(bytes: &'a [u8]) -> Result<&'a [u8], RecordError> {
        let id_len = read_u32(bytes, RECORD_BLOCK_OFFSET + 4)
            .ok_or_else(|| corrupt("its event id length is cut off"))?
            as usize;
        let start = RECORD_BLOCK_OFFSET + BLOCK_HEADER_LEN;
        start
            .checked_add(id_len)
            .and_then(|end| bytes.get(start..end))
            .ok_or_else(|| corrupt(format!("its event id length {id_len} runs past the record")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_batch_round_trips_through_its_blocks() {
        let mut batch = Vec::new();
        encode_block(&mut batch, 2, "id-1", "OrderPlaced", "{\"a\":1}", "{}");
        encode_block(&mut batch, 1, "id-2", "OrderShipped", "{}", "{\"c\":\"x\"}");
        let events = parse_batch(&batch).unwrap();
        assert_eq!(events.len(), 2);
        assert_eq!(events[0].schema_version, 2);
        assert_eq!(events[0].event_id, b"id-1");
        assert_eq!(events[1].event_type, b"OrderShipped");
        assert_eq!(events[1].metadata, b"{\"c\":\"x\"}");
    }

    #[test]
    fn a_cut_batch_names_the_event() {
        let mut batch = Vec::new();
        encode_block(&mut batch, 1, "id-1", "T", "{}", "{}");
        encode_block(&mut batch, 1, "id-2", "T", "{}", "{}");
        assert_eq!(
            parse_batch(&batch[..batch.len() - 1]),
            Err(BatchError::Truncated { index: 1 })
        );
        assert_eq!(
            parse_batch(&batch[..3]),
            Err(BatchError::Truncated { index: 0 })
        );
    }

    #[test]
    fn huge_lengths_do_not_overflow() {
        let mut batch = vec![0u8; BLOCK_HEADER_LEN];
        batch[4..8].copy_from_slice(&u32::MAX.to_le_bytes());
        batch[8..12].copy_from_slice(&u32::MAX.to_le_bytes());
        assert_eq!(parse_batch(&batch), Err(BatchError::Truncated { index: 0 }));
    }

    #[test]
    fn empty_ids_and_types_and_bad_utf8_are_refused() {
        let mut batch = Vec::new();
        encode_block(&mut batch, 1, "", "T", "{}", "{}");
        assert_eq!(
            parse_batch(&batch),
            Err(BatchError::EmptyEventId { index: 0 })
        );
        let mut batch = Vec::new();
        encode_block(&mut batch, 1, "id", "", "{}", "{}");
        assert_eq!(parse_batch(&batch), Err(BatchError::EmptyType { index: 0 }));
        let mut batch = Vec::new();
        encode_block(&mut batch, 1, "id", "T", "{}", "{}");
        let last = batch.len() - 1;
        batch[last] = 0xff;
        assert_eq!(
            parse_batch(&batch),
            Err(BatchError::NotUtf8 {
                index: 0,
                field: "metadata"
            })
        );
    }

    #[test]
    fn data_or_metadata_that_is_not_json_is_refused() {
        let mut batch = Vec::new();
        encode_block(&mut batch, 1, "a", "T", "{}", "{}");
        encode_block(&mut batch, 1, "b", "T", "{\"open\":", "{}");
        assert!(matches!(
            parse_batch(&batch),
            Err(BatchError::NotJson {
                index: 1,
                field: "data",
                ..
            })
        ));
        let mut batch = Vec::new();
        encode_block(&mut batch, 1, "a", "T", "{}", "not json");
        assert!(matches!(
            parse_batch(&batch),
            Err(BatchError::NotJson {
                index: 0,
                field: "metadata",
                ..
            })
        ));
    }
}
