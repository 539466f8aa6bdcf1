import type { ExpectedVersion } from '../../store/event-storage';

/** A case of the expected-version check: its label, the expected version, and the events already in the stream. */
export type ExpectedVersionCase = [label: string, expected: ExpectedVersion, existing: number];

/** Expected versions an append must accept (with or without events). */
export const ACCEPTED_EXPECTED_VERSIONS: ExpectedVersionCase[] = [
  ['no_stream on a new stream', 'no_stream', 0],
  ['0 on a new stream', 0, 0],
  ['any on a new stream', 'any', 0],
  ['any on an existing stream', 'any', 2],
  ['stream_exists on an existing stream', 'stream_exists', 2],
  ['the exact version', 2, 2],
];

/** Expected versions an append must refuse with a ConcurrencyError (with or without events). */
export const REFUSED_EXPECTED_VERSIONS: ExpectedVersionCase[] = [
  ['no_stream on an existing stream', 'no_stream', 2],
  ['stream_exists on a new stream', 'stream_exists', 0],
  ['a version behind', 1, 2],
  ['a version ahead', 5, 2],
  ['a version on a new stream', 1, 0],
  ['0 on an existing stream', 0, 2],
];
