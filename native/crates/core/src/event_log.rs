//! The in-memory event log: streams, the global log, encoded events off the V8 heap.
//!
//! Records live as bytes in fixed-capacity chunks ([`chunk`]) laid out as in
//! [`record`]; the log keeps only small indexes beside them: where each global
//! position's record is, each stream's positions (version `v` is entry `v - 1`)
//! and a hash index of event ids for idempotent appends. The rules are those of
//! the PostgreSQL backend: expected version checked, contiguous versions,
//! idempotent re-sends, all-or-nothing appends.

pub mod chunk;
pub mod record;

use std::collections::hash_map::Entry;
use std::collections::hash_map::RandomState;
use std::collections::{HashMap, HashSet};
use std::fmt;
use std::hash::{BuildHasher, BuildHasherDefault, Hasher};
use std::sync::Arc;

use chunk::{Chunk, CHUNK_CAPACITY};
use record::{parse_batch, BatchError, EventBlock, RecordError, RecordView, ReplayRecord};

/// What the stream's version must be for an append to go through.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExpectedVersion {
    /// No check.
    Any,
    /// The stream has no events (version 0).
    NoStream,
    /// The stream has at least one event.
    StreamExists,
    /// The stream's version is exactly this (0 = no events).
    Exact(u64),
}

impl ExpectedVersion {
    fn holds(self, actual: u64) -> bool {
        match self {
            ExpectedVersion::Any => true,
            ExpectedVersion::NoStream => actual == 0,
            ExpectedVersion::StreamExists => actual > 0,
            ExpectedVersion::Exact(v) => actual == v,
        }
    }
}

impl fmt::Display for ExpectedVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ExpectedVersion::Any => f.write_str("any"),
            ExpectedVersion::NoStream => f.write_str("no_stream"),
            ExpectedVersion::StreamExists => f.write_str("stream_exists"),
            ExpectedVersion::Exact(v) => write!(f, "{v}"),
        }
    }
}

/// What an append did, when it was a valid request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AppendOutcome {
    /// Stored at `first_position..first_position + count`; the stream is now at `stream_version`.
    Appended {
        stream_version: u64,
        first_position: u64,
        count: usize,
    },
    /// Every event id was already stored in this stream: nothing written;
    /// these are the first write's positions and the version of its last event.
    Duplicate {
        stream_version: u64,
        positions: Vec<u64>,
    },
    /// The expected version did not hold: nothing written.
    Conflict {
        expected: ExpectedVersion,
        actual: u64,
    },
}

/// Why an append was refused as a bad request; nothing was written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AppendError {
    /// The batch holds no event.
    EmptyBatch,
    /// The stream id is empty.
    EmptyStreamId,
    /// The batch bytes are malformed.
    Batch(BatchError),
    /// Two events of the batch share an id.
    DuplicateInBatch { event_id: String },
    /// Some, not all, of the batch's ids are already stored: not a re-send.
    PartlyStored { event_id: String },
    /// The ids are already stored, in another stream.
    StoredInOtherStream { event_id: String, stream: String },
    /// Event `index` would make a record longer than its u32 length field holds.
    RecordTooLarge { index: usize },
    /// A stored record read to check a re-send is damaged.
    CorruptRecord(RecordError),
}

impl fmt::Display for AppendError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AppendError::EmptyBatch => f.write_str("an append needs at least one event"),
            AppendError::EmptyStreamId => f.write_str("the stream id is empty"),
            AppendError::Batch(err) => err.fmt(f),
            AppendError::DuplicateInBatch { event_id } => {
                write!(
                    f,
                    "event id {} appears twice in one append",
                    quoted(event_id)
                )
            }
            AppendError::PartlyStored { event_id } => write!(
                f,
                "event id {} is already stored but other events of the append are not: \
                 a re-send must repeat the original append exactly",
                quoted(event_id)
            ),
            AppendError::StoredInOtherStream { event_id, stream } => write!(
                f,
                "event id {} is already stored in stream {}",
                quoted(event_id),
                quoted(stream)
            ),
            AppendError::RecordTooLarge { index } => {
                write!(f, "event #{index} is too large to store (4 GiB at most)")
            }
            AppendError::CorruptRecord(err) => err.fmt(f),
        }
    }
}

impl std::error::Error for AppendError {}

impl From<RecordError> for AppendError {
    fn from(err: RecordError) -> Self {
        AppendError::CorruptRecord(err)
    }
}

impl From<BatchError> for AppendError {
    fn from(err: BatchError) -> Self {
        AppendError::Batch(err)
    }
}

/// Words [`EventLog::write_replay_page`] writes per record.
pub const REPLAY_FACTS: usize = 5;

/// Where a record is: chunk index and byte offset in it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RecordLocation {
    pub chunk: u32,
    pub offset: u32,
}

/// Hashes a key that is already a hash (the event-id index): passes it through.
#[derive(Default)]
struct PrehashedKey(u64);

impl Hasher for PrehashedKey {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        // Only u64 keys are hashed; fold anything else rather than panic.
        for b in bytes {
            self.0 = self.0.rotate_left(8) ^ u64::from(*b);
        }
    }

    fn write_u64(&mut self, value: u64) {
        self.0 = value;
    }
}

type PrehashedMap<V> = HashMap<u64, V, BuildHasherDefault<PrehashedKey>>;

struct Stream {
    /// Global position of version `v` at index `v - 1`.
    positions: Vec<u64>,
}

/// The in-memory event log. Not thread-safe by itself: one owner appends.
pub struct EventLog {
    chunks: Vec<Arc<Chunk>>,
    /// Bytes used in the last chunk.
    tail_used: usize,
    chunk_capacity: usize,
    /// Record of global position `p` at index `p - 1`.
    records: Vec<RecordLocation>,
    stream_index: HashMap<Box<str>, u32>,
    streams: Vec<Stream>,
    /// Dense index of each distinct type name, for readers to cache names by.
    type_index: HashMap<Box<[u8]>, u32>,
    /// Event-id hash -> position: 16 bytes an event. A second id with the same
    /// 64-bit hash (about one in 10^7 at a million events) goes to `id_collisions`.
    ids: PrehashedMap<u64>,
    id_collisions: PrehashedMap<Vec<u64>>,
    id_hasher: RandomState,
    /// Tests force every id onto one hash to exercise the collision path.
    #[cfg(test)]
    collide_ids: bool,
    payload_bytes: u64,
}

impl Default for EventLog {
    fn default() -> Self {
        Self::new()
    }
}

impl EventLog {
    /// An empty log with the default chunk capacity.
    pub fn new() -> Self {
        Self::with_chunk_capacity(CHUNK_CAPACITY)
    }

    /// An empty log whose chunks hold `capacity` bytes (records larger than
    /// that get a chunk of their own).
    pub fn with_chunk_capacity(capacity: usize) -> Self {
        EventLog {
            chunks: Vec::new(),
            tail_used: 0,
            chunk_capacity: capacity.clamp(64, u32::MAX as usize),
            records: Vec::new(),
            stream_index: HashMap::new(),
            streams: Vec::new(),
            type_index: HashMap::new(),
            ids: PrehashedMap::default(),
            id_collisions: PrehashedMap::default(),
            id_hasher: RandomState::new(),
            #[cfg(test)]
            collide_ids: false,
            payload_bytes: 0,
        }
    }

    /// The highest global position (0 when empty).
    pub fn head_position(&self) -> u64 {
        self.records.len() as u64
    }

    /// The stream's version: its number of events.
    pub fn stream_version(&self, stream: &str) -> u64 {
        self.stream(stream).map_or(0, |s| s.positions.len() as u64)
    }

    /// Number of streams with at least one event.
    pub fn stream_count(&self) -> usize {
        self.streams.len()
    }

    /// Bytes of all stored records (headers, ids and payloads).
    pub fn stored_bytes(&self) -> u64 {
        self.payload_bytes
    }

    /// Number of chunks allocated so far.
    pub fn chunk_count(&self) -> usize {
        self.chunks.len()
    }

    /// A chunk, shared: JavaScript keeps it alive while it holds a view.
    pub fn chunk(&self, index: usize) -> Option<Arc<Chunk>> {
        self.chunks.get(index).cloned()
    }

    fn stream(&self, name: &str) -> Option<&Stream> {
        self.stream_index
            .get(name)
            .and_then(|&i| self.streams.get(i as usize))
    }

    /// Appends the events of `batch` (see [`record`]) to `stream`, all or none.
    pub fn append(
        &mut self,
        stream: &str,
        expected: ExpectedVersion,
        recorded_at_ms: f64,
        batch: &[u8],
    ) -> Result<AppendOutcome, AppendError> {
        if stream.is_empty() {
            return Err(AppendError::EmptyStreamId);
        }
        let events = parse_batch(batch)?;
        if events.is_empty() {
            return Err(AppendError::EmptyBatch);
        }
        // The record's length is stored as a u32: a longer one would be cut.
        if let Some(index) = events
            .iter()
            .position(|e| u32::try_from(record::record_len(e, stream)).is_err())
        {
            return Err(AppendError::RecordTooLarge { index });
        }
        if events.len() > 1 {
            let mut seen = HashSet::with_capacity(events.len());
            for event in &events {
                if !seen.insert(event.event_id) {
                    return Err(AppendError::DuplicateInBatch {
                        event_id: lossy(event.event_id),
                    });
                }
            }
        }

        // Idempotency before the version check: a re-send after a timeout
        // carries the original expectation, which no longer holds.
        let hashes: Vec<u64> = events.iter().map(|e| self.hash_id(e.event_id)).collect();
        if let Some(outcome) = self.find_resend(stream, &events, &hashes)? {
            return Ok(outcome);
        }

        let existing = self.stream_index.get(stream).map(|&i| i as usize);
        let actual = existing.map_or(0, |i| self.streams[i].positions.len() as u64);
        if !expected.holds(actual) {
            return Ok(AppendOutcome::Conflict { expected, actual });
        }

        // Everything is checked: from here on nothing can fail, so the
        // append is whole or (on a refusal above) absent.
        let stream_slot = match existing {
            Some(i) => i,
            None => self.new_stream(stream),
        };
        let first_position = self.head_position() + 1;
        for (i, (event, &hash)) in events.iter().zip(&hashes).enumerate() {
            let position = first_position + i as u64;
            let version = actual + 1 + i as u64;
            let type_index = self.type_slot(event.event_type);
            let prefix = record::RecordPrefix {
                record_len: record::record_len(event, stream),
                stream_len: stream.len(),
                position,
                version,
                recorded_at_ms,
                stream_index: stream_slot as u32,
                type_index,
            };
            let location = self.write_record(&prefix, event, stream);
            self.records.push(location);
            self.streams[stream_slot].positions.push(position);
            match self.ids.entry(hash) {
                Entry::Vacant(slot) => {
                    slot.insert(position);
                }
                Entry::Occupied(_) => self.id_collisions.entry(hash).or_default().push(position),
            }
        }
        Ok(AppendOutcome::Appended {
            stream_version: actual + events.len() as u64,
            first_position,
            count: events.len(),
        })
    }

    /// `Some(Duplicate)` when every id is stored in `stream`; an error when
    /// only some are, or they are in another stream; `None` when none is.
    fn find_resend(
        &self,
        stream: &str,
        events: &[EventBlock<'_>],
        hashes: &[u64],
    ) -> Result<Option<AppendOutcome>, AppendError> {
        let found: Vec<Option<u64>> = events
            .iter()
            .zip(hashes)
            .map(|(e, &h)| self.position_of_hashed_id(e.event_id, h))
            .collect::<Result<_, _>>()?;
        if found.iter().all(Option::is_none) {
            return Ok(None);
        }
        if let Some(i) = found.iter().position(Option::is_none) {
            let stored = found.iter().position(Option::is_some).unwrap_or(i);
            return Err(AppendError::PartlyStored {
                event_id: lossy(events[stored].event_id),
            });
        }
        let positions: Vec<u64> = found.into_iter().flatten().collect();
        let mut stream_version = 0;
        for (event, &position) in events.iter().zip(&positions) {
            let view = RecordView::parse(self.record_bytes(position)?)?;
            if view.stream != stream {
                return Err(AppendError::StoredInOtherStream {
                    event_id: lossy(event.event_id),
                    stream: view.stream.to_owned(),
                });
            }
            stream_version = stream_version.max(view.version);
        }
        Ok(Some(AppendOutcome::Duplicate {
            stream_version,
            positions,
        }))
    }

    /// The position of the event stored with `id`, if any.
    pub fn position_of_id(&self, id: &[u8]) -> Result<Option<u64>, RecordError> {
        self.position_of_hashed_id(id, self.hash_id(id))
    }

    fn hash_id(&self, id: &[u8]) -> u64 {
        #[cfg(test)]
        if self.collide_ids {
            return 0;
        }
        self.id_hasher.hash_one(id)
    }

    fn position_of_hashed_id(&self, id: &[u8], hash: u64) -> Result<Option<u64>, RecordError> {
        let matches = |p: u64| -> Result<bool, RecordError> {
            Ok(RecordView::event_id_of(self.record_bytes(p)?)? == id)
        };
        let Some(&first) = self.ids.get(&hash) else {
            return Ok(None);
        };
        if matches(first)? {
            return Ok(Some(first));
        }
        for &position in self.id_collisions.get(&hash).into_iter().flatten() {
            if matches(position)? {
                return Ok(Some(position));
            }
        }
        Ok(None)
    }

    fn new_stream(&mut self, stream: &str) -> usize {
        let i = self.streams.len();
        self.streams.push(Stream {
            positions: Vec::new(),
        });
        self.stream_index.insert(stream.into(), i as u32);
        i
    }

    fn type_slot(&mut self, event_type: &[u8]) -> u32 {
        if let Some(&i) = self.type_index.get(event_type) {
            return i;
        }
        let i = self.type_index.len() as u32;
        self.type_index.insert(event_type.into(), i);
        i
    }

    fn write_record(
        &mut self,
        prefix: &record::RecordPrefix,
        event: &EventBlock<'_>,
        stream: &str,
    ) -> RecordLocation {
        let len = prefix.record_len;
        let fits = self
            .chunks
            .last()
            .is_some_and(|c| c.capacity() - self.tail_used >= len);
        if !fits {
            self.chunks
                .push(Arc::new(Chunk::new(self.chunk_capacity.max(len))));
            self.tail_used = 0;
        }
        let chunk = self.chunks.last().expect("a chunk with room");
        let at = self.tail_used;
        let prefix = prefix.to_bytes();
        // SAFETY: `at..at + len` is within the capacity (checked above) and past
        // every record already published.
        unsafe {
            chunk.write(at, &prefix);
            chunk.write(at + prefix.len(), event.bytes);
            chunk.write(at + prefix.len() + event.bytes.len(), stream.as_bytes());
        }
        self.tail_used += len;
        self.payload_bytes += len as u64;
        RecordLocation {
            chunk: (self.chunks.len() - 1) as u32,
            offset: at as u32,
        }
    }

    /// The stored bytes of the record at `position` (1-based). Its length is
    /// read from the chunk, which JavaScript can write to: it is checked.
    pub fn record_bytes(&self, position: u64) -> Result<&[u8], RecordError> {
        let location = position
            .checked_sub(1)
            .and_then(|i| usize::try_from(i).ok())
            .and_then(|i| self.records.get(i))
            .ok_or(RecordError::NoSuchPosition { position })?;
        self.location_bytes(*location)
    }

    fn location_bytes(&self, location: RecordLocation) -> Result<&[u8], RecordError> {
        let damaged = |detail: String| RecordError::Corrupt { detail };
        let chunk = self
            .chunks
            .get(location.chunk as usize)
            .ok_or_else(|| damaged(format!("no chunk #{}", location.chunk)))?;
        let start = location.offset as usize;
        let head = chunk
            .get(start, start.saturating_add(4))
            .ok_or_else(|| damaged(format!("offset {start} is past its chunk")))?;
        let len = record::stored_record_len(head)?;
        chunk.get(start, start.saturating_add(len)).ok_or_else(|| {
            damaged(format!(
                "its length {len} at offset {start} runs past its chunk of {} bytes",
                chunk.capacity()
            ))
        })
    }

    /// The record at `position`, read in place.
    pub fn record(&self, position: u64) -> Result<RecordView<'_>, RecordError> {
        RecordView::parse(self.record_bytes(position)?)
    }

    /// Locations of up to `limit` records from global position `from` (inclusive; 0 reads as 1).
    pub fn read_all(&self, from: u64, limit: usize) -> &[RecordLocation] {
        let start = from.max(1) - 1;
        if start >= self.head_position() {
            return &[];
        }
        let start = start as usize;
        let end = start.saturating_add(limit).min(self.records.len());
        &self.records[start..end]
    }

    /// The record at `location`, read in place.
    pub fn record_at(&self, location: RecordLocation) -> Result<RecordView<'_>, RecordError> {
        RecordView::parse(self.location_bytes(location)?)
    }

    /// Writes the event ids and payloads of the records at `locations` into
    /// `json` (cleared first) as one JSON array, `[id, data, id, data, ...]`,
    /// and what a replay needs besides into `facts` ([`REPLAY_FACTS`] words a
    /// record: chunk, offset, type index, schema version, 1 when the metadata
    /// is not `{}`) and `positions`: a reader parses a whole page with one
    /// `JSON.parse` and reads the rest from two typed arrays, never the
    /// record. Payloads were checked to be JSON at append, so they are copied
    /// as they are. Returns how many records were written: all of
    /// `locations` that fit in `facts` and `positions`.
    pub fn write_replay_page(
        &self,
        locations: &[RecordLocation],
        json: &mut Vec<u8>,
        facts: &mut [u32],
        positions: &mut [f64],
    ) -> Result<usize, RecordError> {
        json.clear();
        json.push(b'[');
        let rows = facts
            .chunks_exact_mut(REPLAY_FACTS)
            .zip(positions.iter_mut());
        let mut written = 0;
        for (&location, (row, position)) in locations.iter().zip(rows) {
            if written > 0 {
                json.push(b',');
            }
            let view = ReplayRecord::parse(self.location_bytes(location)?)?;
            write_json_string(json, view.event_id)?;
            json.push(b',');
            json.extend_from_slice(view.data);
            row.copy_from_slice(&[
                location.chunk,
                location.offset,
                view.type_index,
                view.schema_version,
                u32::from(view.metadata != b"{}"),
            ]);
            *position = view.position as f64;
            written += 1;
        }
        json.push(b']');
        Ok(written)
    }

    /// Locations of up to `limit` records of `stream` from version `from`
    /// (inclusive; 0 reads as 1).
    pub fn read_stream(&self, stream: &str, from: u64, limit: usize) -> Vec<RecordLocation> {
        let Some(stream) = self.stream(stream) else {
            return Vec::new();
        };
        let start = from.max(1) - 1;
        if start >= stream.positions.len() as u64 {
            return Vec::new();
        }
        stream.positions[start as usize..]
            .iter()
            .take(limit)
            .filter_map(|&p| self.records.get(p.checked_sub(1)? as usize).copied())
            .collect()
    }
}

/// Writes `text` to `json` as a JSON string: as it is when it needs no
/// escape (the usual event id), else through serde_json.
fn write_json_string(json: &mut Vec<u8>, text: &[u8]) -> Result<(), RecordError> {
    if text
        .iter()
        .all(|&b| (0x20..0x7f).contains(&b) && b != b'"' && b != b'\\')
    {
        json.push(b'"');
        json.extend_from_slice(text);
        json.push(b'"');
        return Ok(());
    }
    let text = std::str::from_utf8(text).map_err(|_| RecordError::Corrupt {
        detail: "its event id is not UTF-8".into(),
    })?;
    serde_json::to_writer(&mut *json, text).map_err(|err| RecordError::Corrupt {
        detail: err.to_string(),
    })
}

/// `text` as a JSON string, so a reader can take it back out of a message.
fn quoted(text: &str) -> String {
    serde_json::to_string(text).expect("a string serializes")
}

fn lossy(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[cfg(test)]
mod corrupt_record_tests;
#[cfg(test)]
mod tests;
