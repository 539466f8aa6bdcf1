import { EventSourcingError } from './event-sourcing.error';

/**
 * Some, not all, of an append's event ids are already stored (or stored in
 * another stream): it is neither new nor a re-send of an earlier append.
 */
export class EventIdConflictError extends EventSourcingError {
  static readonly code = 'event-id-conflict';

  constructor(
    readonly streamId: string,
    /** The ids of the append that were already stored, when known. */
    readonly eventIds: readonly string[],
  ) {
    super(
      EventIdConflictError.code,
      `Append to stream "${streamId}" reuses event ids already stored by a different append` +
        (eventIds.length > 0 ? ` (${eventIds.join(', ')})` : '') +
        '. Re-send an append only with exactly the same events; give new events new ids.',
    );
  }
}
