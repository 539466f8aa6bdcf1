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
      at += BLOCK_HEADER_LEN;
      const idLen = scratch.write(event.eventId, at);
      at += idLen;
      const typeLen = scratch.write(event.type, at);
      at += typeLen;
      const dataLen = scratch.write(event.data, at);
      at += dataLen;
      const metadataLen = scratch.write(event.metadata, at);
      at += metadataLen;
      scratch.writeUInt32LE(event.schemaVersion, header);
      scratch.writeUInt32LE(idLen, header + 4);
      scratch.writeUInt32LE(typeLen, header + 8);
      scratch.writeUInt32LE(dataLen, header + 12);
      scratch.writeUInt32LE(metadataLen, header + 16);
    }
    return this.scratch.subarray(0, at);
  }

  private grow(needed: number): void {
    const next = Buffer.allocUnsafe(Math.max(needed, this.scratch.length * 2));
    this.scratch.copy(next);
    this.scratch = next;
  }
}
