use super::record::encode_block;
use super::*;
use proptest::prelude::*;

fn batch(ids: &[&str]) -> Vec<u8> {
    let mut out = Vec::new();
    for id in ids {
        encode_block(
            &mut out,
            1,
            id,
            "Tested",
            &format!("{{\"id\":\"{id}\"}}"),
            "{}",
        );
    }
    out
}

fn ids_of(log: &EventLog, locations: &[RecordLocation]) -> Vec<String> {
    locations
        .iter()
        .map(|l| {
            let view = log.record_at(*l).unwrap();
            String::from_utf8(view.event_id.to_vec()).unwrap()
        })
        .collect()
}

fn appended(outcome: AppendOutcome) -> (u64, u64) {
    match outcome {
        AppendOutcome::Appended {
            stream_version,
            first_position,
            ..
        } => (stream_version, first_position),
        other => panic!("expected an append, got {other:?}"),
    }
}

#[test]
fn events_read_back_with_positions_versions_and_fields() {
    let mut log = EventLog::new();
    let (version, first) = appended(
        log.append(
            "order-1",
            ExpectedVersion::NoStream,
            1000.0,
            &batch(&["a", "b"]),
        )
        .unwrap(),
    );
    assert_eq!((version, first), (2, 1));
    appended(
        log.append("order-2", ExpectedVersion::Any, 2000.0, &batch(&["c"]))
            .unwrap(),
    );

    let second = log.record(2).unwrap();
    assert_eq!(second.stream, "order-1");
    assert_eq!(second.version, 2);
    assert_eq!(second.position, 2);
    assert_eq!(second.event_id, b"b");
    assert_eq!(second.event_type, b"Tested");
    assert_eq!(second.data, br#"{"id":"b"}"#);
    assert_eq!(second.metadata, b"{}");
    assert_eq!(second.recorded_at_ms, 1000.0);
    assert_eq!((second.stream_index, second.type_index), (0, 0));
    assert_eq!(log.record(3).unwrap().stream, "order-2");
    assert_eq!(log.record(3).unwrap().stream_index, 1);
    assert_eq!(log.head_position(), 3);
    assert_eq!(log.stream_version("order-1"), 2);
    assert_eq!(log.stream_version("nothing"), 0);
}

#[test]
fn ids_sharing_a_hash_are_told_apart_by_their_bytes() {
    let mut log = EventLog::new();
    log.collide_ids = true;
    log.append("s", ExpectedVersion::Any, 0.0, &batch(&["a", "b"]))
        .unwrap();
    log.append("s", ExpectedVersion::Any, 0.0, &batch(&["c"]))
        .unwrap();

    assert_eq!(log.position_of_id(b"a").unwrap(), Some(1));
    assert_eq!(log.position_of_id(b"b").unwrap(), Some(2));
    assert_eq!(log.position_of_id(b"c").unwrap(), Some(3));
    assert_eq!(log.position_of_id(b"d").unwrap(), None);
    let again = log
        .append("s", ExpectedVersion::Any, 0.0, &batch(&["b", "c"]))
        .unwrap();
    assert_eq!(
        again,
        AppendOutcome::Duplicate {
            stream_version: 3,
            positions: vec![2, 3]
        }
    );
}

#[test]
fn a_chunk_handed_out_outlives_the_log_and_keeps_its_bytes() {
    let mut log = EventLog::new();
    log.append("s", ExpectedVersion::Any, 0.0, &batch(&["a"]))
        .unwrap();
    let location = log.read_all(1, 1)[0];
    let chunk = log.chunk(location.chunk as usize).unwrap();
    let before = log.record_bytes(1).unwrap().to_vec();

    drop(log);

    let start = location.offset as usize;
    assert_eq!(chunk.get(start, start + before.len()).unwrap(), &before[..]);
}

#[test]
fn each_distinct_type_gets_one_dense_index() {
    let mut log = EventLog::new();
    let mut batch = Vec::new();
    encode_block(&mut batch, 1, "a", "OrderPlaced", "{}", "{}");
    encode_block(&mut batch, 1, "b", "OrderShipped", "{}", "{}");
    encode_block(&mut batch, 1, "c", "OrderPlaced", "{}", "{}");
    log.append("s", ExpectedVersion::Any, 0.0, &batch).unwrap();
    let types: Vec<u32> = (1..=3).map(|p| log.record(p).unwrap().type_index).collect();
    assert_eq!(types, [0, 1, 0]);
}

#[test]
fn reads_page_by_position_and_by_version() {
    let mut log = EventLog::new();
    log.append("s", ExpectedVersion::Any, 0.0, &batch(&["1", "2", "3"]))
        .unwrap();
    log.append("t", ExpectedVersion::Any, 0.0, &batch(&["x"]))
        .unwrap();
    log.append("s", ExpectedVersion::Any, 0.0, &batch(&["4", "5"]))
        .unwrap();

    assert_eq!(ids_of(&log, log.read_all(0, 2)), ["1", "2"]);
    assert_eq!(ids_of(&log, log.read_all(4, 10)), ["x", "4", "5"]);
    assert!(log.read_all(7, 10).is_empty());
    assert_eq!(ids_of(&log, &log.read_stream("s", 3, 2)), ["3", "4"]);
    assert_eq!(
        ids_of(&log, &log.read_stream("s", 0, 100)),
        ["1", "2", "3", "4", "5"]
    );
    assert!(log.read_stream("s", 6, 10).is_empty());
    assert!(log.read_stream("missing", 1, 10).is_empty());
}

#[test]
fn a_wrong_expected_version_writes_nothing_and_reports_the_actual_version() {
    let mut log = EventLog::new();
    log.append("s", ExpectedVersion::NoStream, 0.0, &batch(&["a", "b"]))
        .unwrap();
    for expected in [
        ExpectedVersion::NoStream,
        ExpectedVersion::Exact(1),
        ExpectedVersion::Exact(3),
        ExpectedVersion::Exact(0),
    ] {
        let outcome = log.append("s", expected, 0.0, &batch(&["c", "d"])).unwrap();
        assert_eq!(
            outcome,
            AppendOutcome::Conflict {
                expected,
                actual: 2
            }
        );
    }
    let outcome = log
        .append("new", ExpectedVersion::StreamExists, 0.0, &batch(&["e"]))
        .unwrap();
    assert_eq!(
        outcome,
        AppendOutcome::Conflict {
            expected: ExpectedVersion::StreamExists,
            actual: 0
        }
    );
    assert_eq!(log.head_position(), 2);
    assert_eq!(log.position_of_id(b"c").unwrap(), None);
    assert_eq!(log.stream_count(), 1);
}

#[test]
fn the_expected_versions_that_hold_are_accepted() {
    let mut log = EventLog::new();
    log.append("s", ExpectedVersion::Exact(0), 0.0, &batch(&["a"]))
        .unwrap();
    log.append("s", ExpectedVersion::StreamExists, 0.0, &batch(&["b"]))
        .unwrap();
    log.append("s", ExpectedVersion::Exact(2), 0.0, &batch(&["c"]))
        .unwrap();
    log.append("s", ExpectedVersion::Any, 0.0, &batch(&["d"]))
        .unwrap();
    assert_eq!(log.stream_version("s"), 4);
}

#[test]
fn a_resend_returns_the_first_write_even_after_later_appends() {
    let mut log = EventLog::new();
    log.append("other", ExpectedVersion::Any, 0.0, &batch(&["z"]))
        .unwrap();
    log.append("s", ExpectedVersion::NoStream, 0.0, &batch(&["a", "b"]))
        .unwrap();
    log.append("s", ExpectedVersion::Exact(2), 0.0, &batch(&["c"]))
        .unwrap();

    let again = log
        .append("s", ExpectedVersion::NoStream, 0.0, &batch(&["a", "b"]))
        .unwrap();

    assert_eq!(
        again,
        AppendOutcome::Duplicate {
            stream_version: 2,
            positions: vec![2, 3]
        }
    );
    assert_eq!(log.head_position(), 4);
}

#[test]
fn a_partial_resend_is_refused_and_writes_nothing() {
    let mut log = EventLog::new();
    log.append("s", ExpectedVersion::Any, 0.0, &batch(&["a"]))
        .unwrap();
    let err = log
        .append("s", ExpectedVersion::Any, 0.0, &batch(&["new", "a"]))
        .unwrap_err();
    assert_eq!(
        err,
        AppendError::PartlyStored {
            event_id: "a".into()
        }
    );
    assert_eq!(log.head_position(), 1);
    assert_eq!(log.position_of_id(b"new").unwrap(), None);
}

#[test]
fn ids_stored_in_another_stream_are_refused() {
    let mut log = EventLog::new();
    log.append("s", ExpectedVersion::Any, 0.0, &batch(&["a"]))
        .unwrap();
    let err = log
        .append("t", ExpectedVersion::Any, 0.0, &batch(&["a"]))
        .unwrap_err();
    assert!(
        matches!(err, AppendError::StoredInOtherStream { .. }),
        "{err:?}"
    );
    assert_eq!(log.stream_version("t"), 0);
}

#[test]
fn bad_requests_are_refused_before_anything_is_written() {
    let mut log = EventLog::new();
    assert_eq!(
        log.append("s", ExpectedVersion::Any, 0.0, &batch(&["a", "b", "a"])),
        Err(AppendError::DuplicateInBatch {
            event_id: "a".into()
        })
    );
    assert_eq!(
        log.append("s", ExpectedVersion::Any, 0.0, &[]),
        Err(AppendError::EmptyBatch)
    );
    assert_eq!(
        log.append("", ExpectedVersion::Any, 0.0, &batch(&["a"])),
        Err(AppendError::EmptyStreamId)
    );
    let cut = batch(&["a", "b"]);
    assert!(matches!(
        log.append("s", ExpectedVersion::Any, 0.0, &cut[..cut.len() - 2]),
        Err(AppendError::Batch(BatchError::Truncated { index: 1 }))
    ));
    assert_eq!(log.head_position(), 0);
    assert_eq!(log.stream_count(), 0);
}

#[test]
fn records_spill_into_new_chunks_and_oversized_ones_get_their_own() {
    let mut log = EventLog::with_chunk_capacity(256);
    for i in 0..20 {
        let id = format!("e{i}");
        log.append("s", ExpectedVersion::Any, 0.0, &batch(&[&id]))
            .unwrap();
    }
    let big = "x".repeat(1000);
    let mut block = Vec::new();
    encode_block(&mut block, 1, "big", "Tested", &format!("\"{big}\""), "{}");
    log.append("s", ExpectedVersion::Any, 0.0, &block).unwrap();
    log.append("s", ExpectedVersion::Any, 0.0, &batch(&["after"]))
        .unwrap();

    assert!(log.chunk_count() > 3);
    let all = log.read_all(1, 100);
    assert_eq!(all.len(), 22);
    assert_eq!(log.record(21).unwrap().data.len(), 1002);
    assert_eq!(log.record(22).unwrap().event_id, b"after");
    assert_eq!(ids_of(&log, all)[5], "e5");
}

/// One step of a random workload.
#[derive(Debug, Clone)]
enum Op {
    Append {
        stream: u8,
        ids: Vec<u16>,
        expected: Option<u8>,
    },
}

fn op() -> impl Strategy<Value = Op> {
    (
        0u8..4,
        proptest::collection::vec(0u16..60, 1..5),
        proptest::option::of(0u8..6),
    )
        .prop_map(|(stream, ids, expected)| Op::Append {
            stream,
            ids,
            expected,
        })
}

proptest! {
    /// Whatever is thrown at it, the log keeps: contiguous versions per stream,
    /// one record per id, positions 1..=head, and each append whole or absent.
    #[test]
    fn invariants_hold_under_random_appends(ops in proptest::collection::vec(op(), 1..80), collide in any::<bool>()) {
        let mut log = EventLog::with_chunk_capacity(512);
        log.collide_ids = collide;
        // Model: stream -> list of ids; id -> (stream, position).
        let mut model: HashMap<String, Vec<String>> = HashMap::new();
        let mut stored: HashMap<String, (String, u64)> = HashMap::new();
        let mut head = 0u64;
        for Op::Append { stream, ids, expected } in ops {
            let stream = format!("s{stream}");
            let ids: Vec<String> = ids.iter().map(|i| format!("id-{i}")).collect();
            let refs: Vec<&str> = ids.iter().map(String::as_str).collect();
            let expected = expected.map_or(ExpectedVersion::Any, |v| ExpectedVersion::Exact(u64::from(v)));
            let before = log.head_position();
            let result = log.append(&stream, expected, 0.0, &batch(&refs));
            let version = model.get(&stream).map_or(0, Vec::len) as u64;
            let unique: HashSet<&String> = ids.iter().collect();
            let known = ids.iter().filter(|id| stored.contains_key(*id)).count();
            match result {
                Ok(AppendOutcome::Appended { stream_version, first_position, count }) => {
                    prop_assert_eq!(unique.len(), ids.len());
                    prop_assert_eq!(known, 0);
                    prop_assert!(expected == ExpectedVersion::Any || expected == ExpectedVersion::Exact(version));
                    prop_assert_eq!(first_position, head + 1);
                    prop_assert_eq!(count, ids.len());
                    prop_assert_eq!(stream_version, version + ids.len() as u64);
                    for (i, id) in ids.iter().enumerate() {
                        stored.insert(id.clone(), (stream.clone(), first_position + i as u64));
                    }
                    model.entry(stream.clone()).or_default().extend(ids.iter().cloned());
                    head += ids.len() as u64;
                }
                Ok(AppendOutcome::Duplicate { positions, .. }) => {
                    prop_assert_eq!(known, ids.len());
                    let expected_positions: Vec<u64> = ids.iter().map(|id| stored[id].1).collect();
                    prop_assert_eq!(positions, expected_positions);
                    prop_assert_eq!(log.head_position(), before);
                }
                Ok(AppendOutcome::Conflict { actual, .. }) => {
                    prop_assert_eq!(actual, version);
                    prop_assert_eq!(known, 0);
                    prop_assert_eq!(log.head_position(), before);
                }
                Err(_) => {
                    prop_assert!(unique.len() < ids.len() || known > 0);
                    prop_assert_eq!(log.head_position(), before);
                }
            }
            prop_assert_eq!(log.head_position(), head);
        }
        // The stored log equals the model: versions 1..n per stream, no gaps or duplicates.
        for (stream, ids) in &model {
            let read = log.read_stream(stream, 1, usize::MAX);
            prop_assert_eq!(&ids_of(&log, &read), ids);
            for (i, location) in read.iter().enumerate() {
                let chunk = log.chunk(location.chunk as usize).unwrap();
                let start = location.offset as usize;
                let len = record::stored_record_len(chunk.get(start, start + 4).unwrap()).unwrap();
                let view = RecordView::parse(chunk.get(start, start + len).unwrap()).unwrap();
                prop_assert_eq!(view.version, i as u64 + 1);
                prop_assert_eq!(view.stream, stream.as_str());
            }
        }
        let positions: Vec<u64> = (1..=log.head_position()).map(|p| log.record(p).unwrap().position).collect();
        prop_assert_eq!(positions, (1..=head).collect::<Vec<_>>());
        prop_assert_eq!(stored.len() as u64, head);
    }
}

#[test]
fn a_replay_page_is_one_json_array_of_ids_and_payloads_with_its_facts_beside() {
    let mut log = EventLog::new();
    let mut events = Vec::new();
    encode_block(
        &mut events,
        1,
        "id-\"1\"",
        "T",
        "{\"n\":1,\"s\":\"ü\"}",
        "{}",
    );
    encode_block(&mut events, 2, "id-2", "U", "[1, 2]", "{\"a\":1}");
    encode_block(&mut events, 3, "id-3", "T", "{}", "{}");
    log.append("s", ExpectedVersion::Any, 0.0, &events).unwrap();
    let mut json = vec![b'x'];
    let mut facts = [0u32; 3 * REPLAY_FACTS];
    let mut positions = [0f64; 3];

    let read = log.read_stream("s", 2, 10);
    let written = log
        .write_replay_page(&read, &mut json, &mut facts, &mut positions)
        .unwrap();
    assert_eq!(written, 2);
    let parsed: serde_json::Value = serde_json::from_slice(&json).unwrap();
    assert_eq!(parsed, serde_json::json!(["id-2", [1, 2], "id-3", {}]));
    assert_eq!(
        facts[..2 * REPLAY_FACTS],
        [
            read[0].chunk,
            read[0].offset,
            1,
            2,
            1,
            read[1].chunk,
            read[1].offset,
            0,
            3,
            0
        ]
    );
    assert_eq!(positions[..2], [2.0, 3.0]);

    log.write_replay_page(
        &log.read_stream("s", 1, 1),
        &mut json,
        &mut facts,
        &mut positions,
    )
    .unwrap();
    let parsed: serde_json::Value = serde_json::from_slice(&json).unwrap();
    assert_eq!(
        parsed,
        serde_json::json!(["id-\"1\"", { "n": 1, "s": "ü" }])
    );

    // Only as many records as the facts and positions hold.
    let written = log
        .write_replay_page(
            &log.read_stream("s", 1, 10),
            &mut json,
            &mut facts[..REPLAY_FACTS],
            &mut positions,
        )
        .unwrap();
    assert_eq!(written, 1);
    assert_eq!(
        serde_json::from_slice::<serde_json::Value>(&json)
            .unwrap()
            .as_array()
            .unwrap()
            .len(),
        2
    );

    log.write_replay_page(&[], &mut json, &mut facts, &mut positions)
        .unwrap();
    assert_eq!(json, b"[]");
}
