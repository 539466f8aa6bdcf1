//! Damaged record bytes. JavaScript holds a writable Buffer over every chunk,
//! so the log cannot trust the lengths it reads back: each read checks them
//! and a damaged record is an error, never an out-of-bounds panic.

use super::record::{encode_block, parse_batch, RecordError, RecordView};
use super::*;
use proptest::prelude::*;

fn batch(ids: &[&str]) -> Vec<u8> {
    let mut out = Vec::new();
    for id in ids {
        encode_block(&mut out, 1, id, "Tested", "{\"n\":1}", "{}");
    }
    out
}

fn log_with(ids: &[&str]) -> EventLog {
    let mut log = EventLog::with_chunk_capacity(256);
    for id in ids {
        log.append("s", ExpectedVersion::Any, 0.0, &batch(&[id]))
            .unwrap();
    }
    log
}

/// Overwrites bytes of a stored record, as a JavaScript Buffer view can.
fn overwrite(log: &EventLog, position: u64, at: usize, bytes: &[u8]) {
    let location = log.read_all(position, 1)[0];
    let chunk = log.chunk(location.chunk as usize).unwrap();
    // SAFETY: test only; no slice over these bytes is alive.
    unsafe { chunk.write(location.offset as usize + at, bytes) };
}

fn is_corrupt<T: std::fmt::Debug>(result: Result<T, RecordError>) -> bool {
    matches!(result, Err(RecordError::Corrupt { .. }))
}

#[test]
fn a_record_length_past_its_chunk_is_an_error() {
    let log = log_with(&["a", "b"]);
    overwrite(&log, 1, 0, &u32::MAX.to_le_bytes());
    assert!(is_corrupt(log.record(1)));
    assert!(is_corrupt(log.record_bytes(1)));
    let mut json = Vec::new();
    assert!(is_corrupt(log.write_replay_page(
        &log.read_stream("s", 1, 10),
        &mut json,
        &mut [0; 2 * REPLAY_FACTS],
        &mut [0.0; 2],
    )));
    // The neighbour is intact.
    assert_eq!(log.record(2).unwrap().event_id, b"b");
}

#[test]
fn a_record_length_shorter_than_its_headers_is_an_error() {
    let log = log_with(&["a"]);
    overwrite(&log, 1, 0, &3u32.to_le_bytes());
    assert!(is_corrupt(log.record(1)));
}

#[test]
fn field_lengths_that_disagree_with_the_record_are_an_error() {
    let log = log_with(&["a"]);
    // The event id length (in the block header) says 1,000 bytes.
    overwrite(
        &log,
        1,
        record::RECORD_BLOCK_OFFSET + 4,
        &1000u32.to_le_bytes(),
    );
    assert!(is_corrupt(log.record(1)));
    // A re-send of the same id reads that record back: an error, not a panic.
    let resend = log_with(&["a"]);
    overwrite(
        &resend,
        1,
        record::RECORD_BLOCK_OFFSET + 4,
        &1000u32.to_le_bytes(),
    );
    let mut resend = resend;
    assert!(matches!(
        resend.append("s", ExpectedVersion::Any, 0.0, &batch(&["a"])),
        Err(AppendError::CorruptRecord(_))
    ));
}

#[test]
fn a_stream_id_length_past_the_record_is_an_error() {
    let log = log_with(&["a"]);
    overwrite(&log, 1, 4, &u32::MAX.to_le_bytes());
    assert!(is_corrupt(log.record(1)));
}

#[test]
fn a_position_that_does_not_exist_is_an_error() {
    let log = log_with(&["a"]);
    assert_eq!(
        log.record(0).unwrap_err(),
        RecordError::NoSuchPosition { position: 0 }
    );
    assert_eq!(
        log.record(9).unwrap_err(),
        RecordError::NoSuchPosition { position: 9 }
    );
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2_000))]

    /// Any bytes, anywhere in any record: every read answers Ok or Err.
    #[test]
    fn damaged_records_never_panic_a_read(
        count in 1usize..6,
        damage in prop::collection::vec((0usize..6, 0usize..120, prop::collection::vec(any::<u8>(), 1..8)), 1..6),
    ) {
        let ids: Vec<String> = (0..count).map(|i| format!("id-{i}")).collect();
        let refs: Vec<&str> = ids.iter().map(String::as_str).collect();
        let mut log = log_with(&refs);
        for (record, at, bytes) in damage {
            let position = (record % count) as u64 + 1;
            let location = log.read_all(position, 1)[0];
            let chunk = log.chunk(location.chunk as usize).unwrap();
            let start = location.offset as usize + at;
            let end = (start + bytes.len()).min(chunk.capacity());
            if start < end {
                // SAFETY: test only; no slice over these bytes is alive.
                unsafe { chunk.write(start, &bytes[..end - start]) };
            }
        }
        for position in 0..=count as u64 + 1 {
            let _ = log.record(position);
            let _ = log.record_bytes(position);
        }
        let mut json = Vec::new();
        let _ = log.write_replay_page(
            &log.read_stream("s", 1, 100),
            &mut json,
            &mut [0; 100 * REPLAY_FACTS],
            &mut [0.0; 100],
        );
        let _ = log.position_of_id(b"id-0");
        // A re-send of every id reads the damaged records back.
        let _ = log.append("s", ExpectedVersion::Any, 0.0, &batch(&refs));
    }

    /// Arbitrary bytes handed to the record and batch parsers.
    #[test]
    fn arbitrary_bytes_are_read_or_refused(bytes in prop::collection::vec(any::<u8>(), 0..200)) {
        let _ = RecordView::parse(&bytes);
        let _ = RecordView::event_id_of(&bytes);
        let _ = record::stored_record_len(&bytes);
        let _ = parse_batch(&bytes);
    }
}
