import { DATE_PATHS_METADATA_KEY } from '../../serialization/date-paths';
import type { StoredEvent } from '../event-storage';

// Offsets in a stored record (native/crates/core/src/event_log/record.rs).
const RECORD_LEN = 0;
const STREAM_LEN = 4;
const POSITION = 8;
const VERSION = 16;
const RECORDED_AT = 24;
const STREAM_INDEX = 32;
const TYPE_INDEX = 36;
const SCHEMA_VERSION = 40;
const EVENT_ID_LEN = 44;
const TYPE_LEN = 48;
const DATA_LEN = 52;
const METADATA_LEN = 56;
const TEXTS = 60;

/** Distinct type names cached at most; beyond that names are decoded each time. */
const MAX_CACHED_TYPES = 10_000;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;

/**
 * Reads stored records in place from arena chunks (Buffers over Rust memory)
 * and parses their payloads. Type names are decoded once per distinct type
 * and stream ids once per run of records of one stream, so a page shares its
 * name strings instead of holding a copy per event.
 */
export class StoredRecordDecoder {
  private readonly types: string[] = [];
  private lastStreamIndex = -1;
  private lastStream = '';

  /** The record at `offset` of `chunk`; `streamId` skips decoding it when the caller has it. */
  decode(chunk: Buffer, offset: number, streamId?: string): StoredEvent {
    const idLen = chunk.readUInt32LE(offset + EVENT_ID_LEN);
    const typeLen = chunk.readUInt32LE(offset + TYPE_LEN);
    const dataLen = chunk.readUInt32LE(offset + DATA_LEN);
    const metadataLen = chunk.readUInt32LE(offset + METADATA_LEN);
    const idAt = offset + TEXTS;
    const typeAt = idAt + idLen;
    const dataAt = typeAt + typeLen;
    const metadataAt = dataAt + dataLen;
    return {
      position: chunk.readDoubleLE(offset + POSITION),
      streamId: streamId ?? this.streamOf(chunk, offset),
      version: chunk.readDoubleLE(offset + VERSION),
      eventId: chunk.toString('utf8', idAt, typeAt),
      type: this.typeOf(chunk, offset, typeAt, dataAt),
      schemaVersion: chunk.readUInt32LE(offset + SCHEMA_VERSION),
      data: JSON.parse(chunk.toString('utf8', dataAt, metadataAt)) as unknown,
      metadata: parseMetadata(chunk, metadataAt, metadataLen),
      recordedAt: new Date(chunk.readDoubleLE(offset + RECORDED_AT)),
    };
  }

  /** The type name of type index `index` if it was decoded before (`typeAt` decodes it). */
  cachedType(index: number): string | undefined {
    return this.types[index];
  }

  /**
   * The date paths in the metadata of the record at `offset` of `chunk`
   * (undefined when it names none), parsing the metadata only when it names
   * them.
   */
  datePathsAt(chunk: Buffer, offset: number): unknown {
    const idLen = chunk.readUInt32LE(offset + EVENT_ID_LEN);
    const typeLen = chunk.readUInt32LE(offset + TYPE_LEN);
    const dataLen = chunk.readUInt32LE(offset + DATA_LEN);
    const metadataLen = chunk.readUInt32LE(offset + METADATA_LEN);
    return datePathsOf(chunk, offset + TEXTS + idLen + typeLen + dataLen, metadataLen);
  }

  /** The payload text of the record at `offset` of `chunk`, unparsed. */
  dataTextAt(chunk: Buffer, offset: number): string {
    const dataAt =
      offset +
      TEXTS +
      chunk.readUInt32LE(offset + EVENT_ID_LEN) +
      chunk.readUInt32LE(offset + TYPE_LEN);
    return chunk.toString('utf8', dataAt, dataAt + chunk.readUInt32LE(offset + DATA_LEN));
  }

  /** The event id of the record at `offset` of `chunk`. */
  eventIdAt(chunk: Buffer, offset: number): string {
    const idAt = offset + TEXTS;
    return chunk.toString('utf8', idAt, idAt + chunk.readUInt32LE(offset + EVENT_ID_LEN));
  }

  /** The type name of the record at `offset` of `chunk`, without decoding the rest. */
  typeAt(chunk: Buffer, offset: number): string {
    const typeAt = offset + TEXTS + chunk.readUInt32LE(offset + EVENT_ID_LEN);
    return this.typeOf(chunk, offset, typeAt, typeAt + chunk.readUInt32LE(offset + TYPE_LEN));
  }

  private typeOf(chunk: Buffer, offset: number, start: number, end: number): string {
    const index = chunk.readUInt32LE(offset + TYPE_INDEX);
    let type = this.types[index];
    if (type === undefined) {
      type = chunk.toString('utf8', start, end);
      if (index < MAX_CACHED_TYPES) this.types[index] = type;
    }
    return type;
  }

  private streamOf(chunk: Buffer, offset: number): string {
    const index = chunk.readUInt32LE(offset + STREAM_INDEX);
    if (index !== this.lastStreamIndex) {
      const end = offset + chunk.readUInt32LE(offset + RECORD_LEN);
      this.lastStream = chunk.toString('utf8', end - chunk.readUInt32LE(offset + STREAM_LEN), end);
      this.lastStreamIndex = index;
    }
    return this.lastStream;
  }
}

/** Metadata is most often `{}`: skip the parser for it. */
function parseMetadata(chunk: Buffer, at: number, length: number): Record<string, unknown> {
  if (length === 2 && chunk[at] === OPEN_BRACE && chunk[at + 1] === CLOSE_BRACE) return {};
  return JSON.parse(chunk.toString('utf8', at, at + length)) as Record<string, unknown>;
}

const QUOTED_DATE_PATHS_KEY = JSON.stringify(DATE_PATHS_METADATA_KEY);

/** The metadata's date paths, parsing the metadata only when it names them. */
function datePathsOf(chunk: Buffer, at: number, length: number): unknown {
  const text = chunk.toString('utf8', at, at + length);
  if (!text.includes(QUOTED_DATE_PATHS_KEY)) return undefined;
  return (JSON.parse(text) as Record<string, unknown>)[DATE_PATHS_METADATA_KEY];
}
