import { EventSourcingError } from './event-sourcing.error';

/** `reset` was given a position that is not a whole number `>= 0`. */
export class InvalidResetPositionError extends EventSourcingError {
  static readonly code = 'invalid-reset-position';

  constructor(
    readonly subscriberName: string,
    readonly position: unknown,
  ) {
    super(
      InvalidResetPositionError.code,
      `Cannot reset subscriber "${subscriberName}" to ${String(position)}: give a global ` +
        'position, a whole number >= 0 (0 replays the whole log).',
    );
  }
}
