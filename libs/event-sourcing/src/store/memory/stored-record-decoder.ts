import type { StoredEvent } from '../event-storage';

// Offsets in a stored record (native/crates/core/src/event_log/record.rs).
const RECORD_LEN = 0;
const STREAM_LEN = 4;
const POSITION = 8;
const VERSION = 16;
const RECORDED_AT = 24;
const SCHEMA_VERSION = 32;
const EVENT_ID_LEN = 36;
const TYPE_LEN = 40;
const DATA_LEN = 44;
const METADATA_LEN = 48;
const TEXTS = 52;

/**
 * Reads the record at `offset` of an arena chunk in place (the chunk is a
 * Buffer over Rust memory) and parses its payload. `streamId` skips decoding
 * the stream id when the caller already has it (stream reads).
 */
export function decodeStoredRecord(chunk: Buffer, offset: number, streamId?: string): StoredEvent {
  const idLen = chunk.readUInt32LE(offset + EVENT_ID_LEN);
  const typeLen = chunk.readUInt32LE(offset + TYPE_LEN);
  const dataLen = chunk.readUInt32LE(offset + DATA_LEN);
  const metadataLen = chunk.readUInt32LE(offset + METADATA_LEN);
  let at = offset + TEXTS;
  const eventId = chunk.toString('utf8', at, (at += idLen));
  const type = chunk.toString('utf8', at, (at += typeLen));
  const data: unknown = JSON.parse(chunk.toString('utf8', at, (at += dataLen)));
  const metadata = JSON.parse(chunk.toString('utf8', at, at + metadataLen)) as Record<
    string,
    unknown
  >;
  let stream = streamId;
  if (stream === undefined) {
    const end = offset + chunk.readUInt32LE(offset + RECORD_LEN);
    stream = chunk.toString('utf8', end - chunk.readUInt32LE(offset + STREAM_LEN), end);
  }
  return {
    position: chunk.readDoubleLE(offset + POSITION),
    streamId: stream,
    version: chunk.readDoubleLE(offset + VERSION),
    eventId,
    type,
    schemaVersion: chunk.readUInt32LE(offset + SCHEMA_VERSION),
    data,
    metadata,
    recordedAt: new Date(chunk.readDoubleLE(offset + RECORDED_AT)),
  };
}
