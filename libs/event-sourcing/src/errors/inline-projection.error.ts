import { EventSourcingError } from './event-sourcing.error';

/** An inline projection threw: the append (and its transaction) was rolled back. */
export class InlineProjectionError extends EventSourcingError {
  static readonly code = 'inline-projection-failed';

  constructor(
    readonly projection: string,
    readonly eventType: string,
    readonly streamId: string,
    readonly version: number,
    cause: unknown,
  ) {
    super(
      InlineProjectionError.code,
      `Inline projection "${projection}" failed on ${eventType} (stream "${streamId}", version ` +
        `${version}): ${cause instanceof Error ? cause.message : String(cause)}. Nothing was appended.`,
      { cause },
    );
  }
}
