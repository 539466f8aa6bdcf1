import { InvalidAppendError } from '../../errors/invalid-append.error';
import type { EventToAppend, ExpectedVersion } from '../event-log';
import { checkPayload } from '../unstorable-payload';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** PostgreSQL's btree keys must stay well under a third of a page (about 2,700 bytes). */
const MAX_STREAM_ID_BYTES = 1024;

/** Rejects, before anything is sent, an append the SQL backends could not store whole. */
export function validateAppend(
  streamId: unknown,
  events: readonly EventToAppend[],
  expected: ExpectedVersion,
): void {
  const stream = typeof streamId === 'string' ? streamId : String(streamId);
  if (typeof streamId !== 'string' || streamId.length === 0) {
    throw new InvalidAppendError(stream, 'the stream id must be a non-empty string');
  }
  if (Buffer.byteLength(streamId) > MAX_STREAM_ID_BYTES || streamId.includes('\u0000')) {
    throw new InvalidAppendError(
      stream,
      `the stream id must be at most ${MAX_STREAM_ID_BYTES} bytes, without NUL characters`,
    );
  }
  if (
    !(typeof expected === 'number' && Number.isSafeInteger(expected) && expected >= 0) &&
    expected !== 'any' &&
    expected !== 'no_stream' &&
    expected !== 'stream_exists'
  ) {
    throw new InvalidAppendError(
      stream,
      `expected version ${String(expected)} is neither a version >= 0 nor 'any', 'no_stream' or 'stream_exists'`,
    );
  }
  if (!Array.isArray(events) || events.length === 0) {
    throw new InvalidAppendError(stream, 'an append needs at least one event');
  }
  // A single event cannot repeat an id: no set for the most common append.
  const ids = events.length > 1 ? new Set<string>() : undefined;
  for (let index = 0; index < events.length; index++) {
    const event = events[index];
    const where = `event #${index + 1}`;
    if (typeof event?.eventId !== 'string' || !UUID.test(event.eventId)) {
      throw new InvalidAppendError(
        stream,
        `${where} has event id ${String(event?.eventId)}, not a UUID`,
      );
    }
    if (ids) {
      const id = event.eventId.toLowerCase();
      if (ids.has(id)) {
        throw new InvalidAppendError(stream, `${where} repeats event id ${event.eventId}`);
      }
      ids.add(id);
    }
    if (
      typeof event.type !== 'string' ||
      event.type.length === 0 ||
      event.type.includes('\u0000')
    ) {
      throw new InvalidAppendError(stream, `${where} needs a non-empty type name`);
    }
    if (
      !Number.isInteger(event.schemaVersion) ||
      event.schemaVersion < 1 ||
      event.schemaVersion > 2 ** 31 - 1
    ) {
      throw new InvalidAppendError(
        stream,
        `${where} has schema version ${String(event.schemaVersion)}`,
      );
    }
    if (typeof event.data !== 'string' || typeof event.metadata !== 'string') {
      throw new InvalidAppendError(stream, `${where} must carry data and metadata as JSON text`);
    }
    checkPayload(stream, where, event);
  }
}
