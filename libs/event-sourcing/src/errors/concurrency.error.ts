import { EventSourcingError } from './event-sourcing.error';
import type { ExpectedVersion } from '../store/event-storage';

/** An append's expected version did not match the stream; nothing was written. */
export class ConcurrencyError extends EventSourcingError {
  static readonly code = 'concurrency-conflict';

  constructor(
    readonly streamId: string,
    readonly expected: ExpectedVersion,
    readonly actual: number,
  ) {
    super(
      ConcurrencyError.code,
      `Stream "${streamId}" is at version ${actual}, but the append expected ${String(expected)}. ` +
        'Reload the aggregate and retry the command.',
    );
  }
}
