import { ConcurrencyError } from '../errors/concurrency.error';
import { InvalidAppendError } from '../errors/invalid-append.error';
import type { ExpectedVersion } from './event-storage';

/**
 * Checks `expected` against the stream's `actual` version the way a backend's
 * append does, for appends that write nothing (an empty list of events): they
 * must fail exactly where a non-empty append would.
 */
export function checkExpectedVersion(
  streamId: string,
  expected: ExpectedVersion,
  actual: number,
): void {
  switch (expected) {
    case 'any':
      return;
    case 'no_stream':
      if (actual !== 0) throw new ConcurrencyError(streamId, expected, actual);
      return;
    case 'stream_exists':
      if (actual === 0) throw new ConcurrencyError(streamId, expected, actual);
      return;
    default:
      if (typeof expected !== 'number' || !Number.isSafeInteger(expected) || expected < 0) {
        throw new InvalidAppendError(
          streamId,
          `expected version ${String(expected)} is neither a whole number >= 0 nor 'any', 'no_stream' or 'stream_exists'`,
        );
      }
      if (actual !== expected) throw new ConcurrencyError(streamId, expected, actual);
  }
}
