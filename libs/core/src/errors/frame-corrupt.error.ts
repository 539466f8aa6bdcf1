import { CelloError } from './cello-error';

/** A framed record failed its checksum or ends early: the bytes were damaged. */
export class FrameCorruptError extends CelloError {
  static readonly code = 'frame-corrupt';

  constructor(detail: string) {
    super(FrameCorruptError.code, `Corrupt framed record: ${detail}`);
  }
}
