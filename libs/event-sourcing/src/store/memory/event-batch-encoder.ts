import type { EventToAppend } from '../event-storage';

/** Bytes of an event block's header: schema version and four lengths (u32 LE each). */
const BLOCK_HEADER_LEN = 20;
/** UTF-8 needs at most 3 bytes per UTF-16 code unit. */
const MAX_UTF8_PER_UNIT = 3;

/**
 * Encodes an append's events into one buffer in the layout the native log
 * reads (`native/crates/core/src/event_log/record.rs`): per event
 * `[schemaVersion][idLen][typeLen][dataLen][metadataLen]` then the four texts.
 * One scratch buffer is reused, so an append allocates no new Buffer: the
 * native side copies the bytes before this encoder is used again.
 */
export class EventBatchEncoder {
  private scratch = Buffer.allocUnsafe(64 * 1024);

  /** The encoded batch: a view of the scratch buffer, valid until the next call. */
  encode(events: readonly EventToAppend[]): Buffer {
    let at = 0;
    for (const event of events) {
      const worst =
        BLOCK_HEADER_LEN +
        MAX_UTF8_PER_UNIT *
          (event.eventId.length + event.type.length + event.data.length + event.metadata.length);
      if (at + worst > this.scratch.length) this.grow(at + worst);
      const scratch = this.scratch;
      const header = at;
      const texts = at + BLOCK_HEADER_LEN;
      // One write for the four texts; when they are ASCII (the usual case)
      // byte lengths equal string lengths and nothing else is needed.
      const joined = event.eventId + event.type + event.data + event.metadata;
      let idLen = event.eventId.length;
      let typeLen = event.type.length;
      let dataLen = event.data.length;
      let metadataLen = event.metadata.length;
      if (scratch.write(joined, texts) !== joined.length) {
        idLen = scratch.write(event.eventId, texts);
        typeLen = scratch.write(event.type, texts + idLen);
        dataLen = scratch.write(event.data, texts + idLen + typeLen);
        metadataLen = scratch.write(event.metadata, texts + idLen + typeLen + dataLen);
      }
      scratch.writeUInt32LE(event.schemaVersion, header);
      scratch.writeUInt32LE(idLen, header + 4);
      scratch.writeUInt32LE(typeLen, header + 8);
      scratch.writeUInt32LE(dataLen, header + 12);
      scratch.writeUInt32LE(metadataLen, header + 16);
      at = texts + idLen + typeLen + dataLen + metadataLen;
    }
    return this.scratch.subarray(0, at);
  }

  private grow(needed: number): void {
    const next = Buffer.allocUnsafe(Math.max(needed, this.scratch.length * 2));
    this.scratch.copy(next);
    this.scratch = next;
  }
}
