import { CelloError } from '../errors/cello-error';

/** Compressed snapshot bytes were damaged: truncated, malformed, or failing their checksum. */
export class SnapshotCorruptError extends CelloError {
  static readonly code = 'snapshot-corrupt';

  constructor(detail: string, options?: { cause?: unknown }) {
    super(SnapshotCorruptError.code, `Corrupt snapshot: ${detail}`, options);
  }
}
