import { compressSnapshot, decompressSnapshot } from '@cello/core/internal';
import { EventSerializationError } from '../errors/event-serialization.error';
import { isJsonPathList, prepareJson, reviveDates } from './date-paths';

/** The JSON document a snapshot's bytes hold: the state and where its `Date`s are. */
interface SnapshotDocument {
  readonly state: unknown;
  readonly dates?: unknown;
}

/**
 * Encodes an aggregate's snapshot state to bytes: JSON with the paths of its
 * `Date`s, compressed by the native core (LZ4 + CRC32C). The one place that chooses the byte format.
 */
export function encodeSnapshotState(aggregateType: string, state: object): Buffer {
  const prepared = prepareJson(state);
  if (prepared.problem) {
    throw new EventSerializationError(
      aggregateType,
      prepared.problem.path,
      `snapshot state: ${prepared.problem.reason}`,
    );
  }
  const document: SnapshotDocument =
    prepared.datePaths.length > 0 ? { state, dates: prepared.datePaths } : { state };
  return compressSnapshot(Buffer.from(JSON.stringify(document)));
}

/** Decodes what {@link encodeSnapshotState} wrote, `Date`s restored. */
export function decodeSnapshotState(aggregateType: string, bytes: Buffer): object {
  let document: SnapshotDocument;
  try {
    document = JSON.parse(decompressSnapshot(bytes).toString('utf8')) as SnapshotDocument;
  } catch (error) {
    throw new EventSerializationError(aggregateType, '', 'snapshot state is not readable', {
      cause: error,
    });
  }
  const state = document.state;
  if (state === null || typeof state !== 'object') {
    throw new EventSerializationError(aggregateType, '', 'snapshot state is not an object');
  }
  if (isJsonPathList(document.dates)) reviveDates(state, document.dates);
  return state;
}
