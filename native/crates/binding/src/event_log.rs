//! JavaScript face of cello_core::event_log.
//!
//! Crossings are batch-shaped: one call appends a whole batch (one framed
//! buffer), one call reads a whole page (record locations written into a
//! caller-owned `Uint32Array`). Record bytes are never copied out: JavaScript
//! holds one Buffer per arena chunk, over Rust-owned memory, and slices it.

use cello_core::event_log::record::RecordError;
use cello_core::event_log::{
    AppendError, AppendOutcome, EventLog, ExpectedVersion, RecordLocation, REPLAY_FACTS,
};
use napi::bindgen_prelude::{BufferSlice, Float64ArraySlice, Uint32ArraySlice};
use napi::{Env, JsString};
use napi_derive::napi;
use std::cell::Cell;
use std::rc::Rc;

use crate::errors::{coded, guard};

/// `expected` as a number: a version (>= 0) or one of these sentinels.
const EXPECT_ANY: f64 = -1.0;
const EXPECT_NO_STREAM: f64 = -2.0;
const EXPECT_STREAM_EXISTS: f64 = -3.0;

/// What an append did.
const OUTCOME_APPENDED: u32 = 0;
const OUTCOME_DUPLICATE: u32 = 1;
const OUTCOME_CONFLICT: u32 = 2;

fn expected_version(expected: f64) -> napi::Result<ExpectedVersion> {
    match expected {
        EXPECT_ANY => Ok(ExpectedVersion::Any),
        EXPECT_NO_STREAM => Ok(ExpectedVersion::NoStream),
        EXPECT_STREAM_EXISTS => Ok(ExpectedVersion::StreamExists),
        v if v >= 0.0 && v.fract() == 0.0 && v <= 9_007_199_254_740_991.0 => {
            Ok(ExpectedVersion::Exact(v as u64))
        }
        v => Err(coded(
            "invalid-expected-version",
            format!("expected version {v} is not a whole number >= 0"),
        )),
    }
}

fn append_error(err: AppendError) -> napi::Error {
    let code = match err {
        AppendError::PartlyStored { .. } | AppendError::StoredInOtherStream { .. } => {
            "event-id-conflict"
        }
        AppendError::CorruptRecord(_) => "event-log-corrupt",
        _ => "invalid-append",
    };
    coded(code, err)
}

fn position(value: f64) -> u64 {
    if value.is_finite() && value > 0.0 {
        value as u64
    } else {
        0
    }
}

/// The in-memory event log: events stored as bytes off the V8 heap.
#[napi]
pub struct NativeEventLog {
    log: Option<EventLog>,
    /// Reused by `replayPage`, so a page allocates no new Rust buffer.
    json: Vec<u8>,
}

fn record_error(err: RecordError) -> napi::Error {
    coded("event-log-corrupt", err)
}

impl NativeEventLog {
    fn log(&self) -> napi::Result<&EventLog> {
        self.log
            .as_ref()
            .ok_or_else(|| coded("event-log-disposed", "the event log was disposed"))
    }
}

#[napi]
impl NativeEventLog {
    /// An empty log; `chunkCapacity` is the arena chunk size in bytes (default 4 MiB).
    #[napi(constructor)]
    pub fn new(chunk_capacity: Option<u32>) -> napi::Result<Self> {
        guard("NativeEventLog", || {
            let log = match chunk_capacity {
                Some(capacity) => EventLog::with_chunk_capacity(capacity as usize),
                None => EventLog::new(),
            };
            Ok(NativeEventLog {
                log: Some(log),
                json: Vec::new(),
            })
        })
    }

    /// Appends a framed batch to `stream`, all or none, and returns what happened:
    /// 0 appended (`out[0]` the stream version, `out[1]` the first position),
    /// 1 a re-send, nothing written (`out[0]` the first write's stream version,
    /// `out[2..]` its positions; `out` must hold 2 + the batch's event count),
    /// 2 the expected version did not hold, nothing written (`out[0]` the actual version).
    ///
    /// `expected` is a version, or -1 (any), -2 (no stream), -3 (stream exists).
    /// Results go to the caller's `out` rather than a new array: a single-event
    /// append is dominated by the crossing, and allocating its answer adds a third.
    /// Bad batches fail with `[invalid-append]`; ids stored by another append
    /// with `[event-id-conflict]`.
    #[napi]
    pub fn append(
        &mut self,
        stream: String,
        expected: f64,
        recorded_at: f64,
        batch: &[u8],
        mut out: Float64ArraySlice,
    ) -> napi::Result<u32> {
        let outcome = guard("NativeEventLog.append", || {
            self.append_checked(&stream, expected, recorded_at, batch, &mut out)
        });
        // A panic half-way may have left the log half-written: drop it, so
        // every later call fails with `[event-log-disposed]` instead.
        if matches!(&outcome, Err(err) if err.reason.starts_with("[native-panic]")) {
            self.log = None;
        }
        outcome
    }

    /// Writes the locations of up to `out.length / 2` records from global
    /// position `from` into `out` as (chunk, offset) pairs; returns how many.
    #[napi]
    pub fn read_all(&self, from: f64, mut out: Uint32ArraySlice) -> napi::Result<u32> {
        guard("NativeEventLog.readAll", || {
            // SAFETY: JavaScript is blocked in this call; nothing else touches `out`.
            let out = unsafe { out.as_mut() };
            let locations = self.log()?.read_all(position(from), out.len() / 2);
            Ok(write_locations(out, locations))
        })
    }

    /// Like `readAll`, for the records of `stream` from version `from`.
    #[napi]
    pub fn read_stream(
        &self,
        stream: String,
        from: f64,
        mut out: Uint32ArraySlice,
    ) -> napi::Result<u32> {
        guard("NativeEventLog.readStream", || {
            // SAFETY: JavaScript is blocked in this call; nothing else touches `out`.
            let out = unsafe { out.as_mut() };
            let locations = self
                .log()?
                .read_stream(&stream, position(from), out.len() / 2);
            Ok(write_locations(out, &locations))
        })
    }

    /// `EventStore.load`'s read: the records of `stream` from version `from`,
    /// as many as `positions` holds, with their event ids and payloads as one
    /// JSON array text, `[id, data, id, data, ...]`. `facts[0]` gets the
    /// record count, then five words a record (chunk, offset, type index,
    /// schema version, 1 when the metadata is not `{}`); `positions` gets
    /// their positions. One crossing and one `JSON.parse` a page, nothing read
    /// from the record in JavaScript. ASCII text (the usual case) is handed
    /// over as Latin-1, which V8 copies without decoding.
    #[napi]
    pub fn replay_page<'env>(
        &mut self,
        env: &'env Env,
        stream: String,
        from: f64,
        mut facts: Uint32ArraySlice,
        mut positions: Float64ArraySlice,
    ) -> napi::Result<JsString<'env>> {
        guard("NativeEventLog.replayPage", || {
            // SAFETY: JavaScript is blocked in this call; nothing else touches `facts` or `positions`.
            let (facts, positions) = unsafe { (facts.as_mut(), positions.as_mut()) };
            let log = self
                .log
                .as_ref()
                .ok_or_else(|| coded("event-log-disposed", "the event log was disposed"))?;
            let Some((count, rows)) = facts.split_first_mut() else {
                return Err(coded("invalid-argument", "facts holds no count"));
            };
            let limit = positions.len().min(rows.len() / REPLAY_FACTS);
            let locations = log.read_stream(&stream, position(from), limit);
            *count = log
                .write_replay_page(&locations, &mut self.json, rows, positions)
                .map_err(record_error)? as u32;
            if self.json.is_ascii() {
                env.create_string_latin1(&self.json)
            } else {
                let text = std::str::from_utf8(&self.json).map_err(|err| {
                    coded("invalid-record", format!("a record is not UTF-8: {err}"))
                })?;
                env.create_string(text)
            }
        })
    }

    /// A Buffer over arena chunk `index`, without copying. Records never move
    /// or change once written, so the caller keeps it and reads records by
    /// offset. Call once per chunk: the chunk stays alive while the Buffer does.
    #[napi]
    pub fn chunk<'env>(&self, env: &'env Env, index: u32) -> napi::Result<BufferSlice<'env>> {
        guard("NativeEventLog.chunk", || self.chunk_view(env, index))
    }

    /// The stream's version (0 when it has no events).
    #[napi]
    pub fn stream_version(&self, stream: String) -> napi::Result<f64> {
        guard("NativeEventLog.streamVersion", || {
            Ok(self.log()?.stream_version(&stream) as f64)
        })
    }

    /// The highest global position (0 when empty).
    #[napi]
    pub fn head_position(&self) -> napi::Result<f64> {
        guard("NativeEventLog.headPosition", || {
            Ok(self.log()?.head_position() as f64)
        })
    }

    /// Bytes held in records (off the V8 heap).
    #[napi]
    pub fn stored_bytes(&self) -> napi::Result<f64> {
        guard("NativeEventLog.storedBytes", || {
            Ok(self.log()?.stored_bytes() as f64)
        })
    }

    /// Drops the log's indexes and its hold on the chunks; chunks still
    /// viewed by a Buffer are freed when that Buffer is collected.
    #[napi]
    pub fn dispose(&mut self) {
        self.log = None;
    }
}

/// Writes `locations` into `out` as (chunk, offset) pairs; returns how many.
fn write_locations(out: &mut [u32], locations: &[RecordLocation]) -> u32 {
    let mut written = 0;
    for (pair, location) in out.chunks_exact_mut(2).zip(locations) {
        if let [chunk, offset] = pair {
            *chunk = location.chunk;
            *offset = location.offset;
            written += 1;
        }
    }
    written
}

impl NativeEventLog {
    fn chunk_view<'env>(&self, env: &'env Env, index: u32) -> napi::Result<BufferSlice<'env>> {
        let chunk = self
            .log()?
            .chunk(index as usize)
            .ok_or_else(|| coded("invalid-chunk", format!("no chunk #{index}")))?;
        let ptr = chunk.as_ptr();
        let len = chunk.capacity();
        // A runtime that forbids external buffers (Electron, V8 sandbox) makes
        // napi copy the bytes and run the finalizer at once; a copy of a chunk
        // still being filled would go stale, so that case is refused loudly.
        let copied = Rc::new(Cell::new(false));
        let finalized = Rc::clone(&copied);
        // SAFETY: the `Arc` moved into the finalizer keeps the memory alive
        // until JavaScript collects the Buffer; the chunk never reallocates.
        let view = unsafe {
            BufferSlice::from_external(env, ptr, len, chunk, move |_, chunk| {
                finalized.set(true);
                drop(chunk);
            })
        }?;
        if copied.get() {
            return Err(coded(
                "external-buffers-unsupported",
                "this runtime copies external buffers; the in-memory event log needs Node.js",
            ));
        }
        Ok(view)
    }

    fn append_checked(
        &mut self,
        stream: &str,
        expected: f64,
        recorded_at: f64,
        batch: &[u8],
        out: &mut Float64ArraySlice,
    ) -> napi::Result<u32> {
        let expected = expected_version(expected)?;
        let log = self
            .log
            .as_mut()
            .ok_or_else(|| coded("event-log-disposed", "the event log was disposed"))?;
        let outcome = log
            .append(stream, expected, recorded_at, batch)
            .map_err(append_error)?;
        // SAFETY: JavaScript is blocked in this call; nothing else touches `out`.
        let out = unsafe { out.as_mut() };
        let too_small = || coded("invalid-append", "the result array is too small");
        Ok(match outcome {
            AppendOutcome::Appended {
                stream_version,
                first_position,
                ..
            } => {
                let [version, first, ..] = out else {
                    return Err(too_small());
                };
                *version = stream_version as f64;
                *first = first_position as f64;
                OUTCOME_APPENDED
            }
            AppendOutcome::Duplicate {
                stream_version,
                positions,
            } => {
                if out.len() < 2 + positions.len() {
                    return Err(too_small());
                }
                out[0] = stream_version as f64;
                for (slot, position) in out[2..].iter_mut().zip(positions) {
                    *slot = position as f64;
                }
                OUTCOME_DUPLICATE
            }
            AppendOutcome::Conflict { actual, .. } => {
                let Some(slot) = out.first_mut() else {
                    return Err(too_small());
                };
                *slot = actual as f64;
                OUTCOME_CONFLICT
            }
        })
    }
}
