import type { NativeError } from '@cello/core';
import { toNativeError } from '@cello/core/internal';
import { EventIdConflictError } from '../../errors/event-id-conflict.error';
import { InvalidAppendError } from '../../errors/invalid-append.error';
import type { EventToAppend, ExpectedVersion } from '../event-storage';
import { checkPayload } from '../unstorable-payload';

// `expected` as the native log takes it (see binding/src/event_log.rs).
const EXPECT_ANY = -1;
const EXPECT_NO_STREAM = -2;
const EXPECT_STREAM_EXISTS = -3;

/** `expected` as the native log takes it, refused with `InvalidAppendError` when it is none of the allowed forms. */
export function toNativeExpected(streamId: string, expected: ExpectedVersion): number {
  switch (expected) {
    case 'any':
      return EXPECT_ANY;
    case 'no_stream':
      return EXPECT_NO_STREAM;
    case 'stream_exists':
      return EXPECT_STREAM_EXISTS;
    default:
      if (Number.isSafeInteger(expected) && expected >= 0) return expected;
      throw new InvalidAppendError(
        streamId,
        `expected version ${String(expected)} is neither a whole number >= 0 nor 'any', 'no_stream' or 'stream_exists'`,
      );
  }
}

/** Refuses what the native log cannot encode, naming the event at fault. */
export function checkAppend(streamId: string, events: readonly EventToAppend[]): void {
  if (typeof streamId !== 'string' || streamId.length === 0) {
    throw new InvalidAppendError(String(streamId), 'the stream id must be a non-empty string');
  }
  if (!Array.isArray(events) || events.length === 0) {
    throw new InvalidAppendError(streamId, 'an append needs at least one event');
  }
  events.forEach((event, index) => {
    for (const field of ['eventId', 'type', 'data', 'metadata'] as const) {
      if (typeof event[field] !== 'string') {
        throw new InvalidAppendError(streamId, `event #${index} has no string ${field}`);
      }
    }
    // Refused here as PostgreSQL refuses it, so tests on memory meet the same errors.
    checkPayload(streamId, `event #${index + 1}`, event);
    const version = event.schemaVersion;
    if (!Number.isInteger(version) || version < 0 || version > 0xffffffff) {
      throw new InvalidAppendError(
        streamId,
        `event #${index} has schema version ${String(version)}, not a whole number >= 0`,
      );
    }
  });
}

const QUOTED_EVENT_ID = /event id ("(?:[^"\\]|\\.)*")/;

/** The typed error for what the native append threw. */
export function appendError(streamId: string, error: unknown): Error {
  const native: NativeError = toNativeError(error);
  if (native.code === EventIdConflictError.code) {
    const quoted = QUOTED_EVENT_ID.exec(native.message)?.[1];
    return new EventIdConflictError(streamId, quoted ? [JSON.parse(quoted) as string] : []);
  }
  if (native.code === InvalidAppendError.code) {
    return new InvalidAppendError(streamId, native.message, { cause: native });
  }
  return native;
}
