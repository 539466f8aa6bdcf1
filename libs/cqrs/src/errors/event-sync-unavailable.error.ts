import { CqrsError } from './cqrs.error';

/** A query asked to wait for a read-model position, but event sync is not set up. */
export class EventSyncUnavailableError extends CqrsError {
  static readonly code = 'event-sync-unavailable';

  constructor(
    readonly messageName: string,
    reason: string,
  ) {
    super(
      EventSyncUnavailableError.code,
      `Query "${messageName}" was dispatched with \`waitForPosition\`, but ${reason}`,
    );
  }
}
