import { EventSourcingError } from './event-sourcing.error';

/** One subscriber that had not reached the awaited position. */
export interface LaggingSubscriber {
  readonly name: string;
  /** Its checkpoint when the wait ended. */
  readonly checkpoint: number;
  /** Its state then: running, standby (another instance runs it), stopped or failed. */
  readonly state: string;
}

/** `waitForPosition` gave up before every awaited subscriber reached the position. */
export class WaitForPositionTimeoutError extends EventSourcingError {
  static readonly code = 'wait-for-position-timeout';

  constructor(
    readonly position: number,
    readonly timeoutMs: number,
    readonly lagging: readonly LaggingSubscriber[],
  ) {
    super(
      WaitForPositionTimeoutError.code,
      `Subscribers did not reach position ${position} within ${timeoutMs} ms: ` +
        lagging.map((s) => `"${s.name}" at ${s.checkpoint} (${s.state})`).join(', ') +
        '. Check SubscriptionManager.status() for failed subscribers and parked events.',
    );
  }
}
