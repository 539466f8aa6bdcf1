/** Options of {@link PositionWaiter.waitForPosition}. */
export interface PositionWaitOptions {
  /** Names of the subscribers to wait for. Default: every running subscriber. */
  subscribers?: readonly string[];
  /** Longest wait, in milliseconds. Default: the provider's own. */
  timeoutMs?: number;
  /** Ends the wait early, rejecting with the signal's reason. */
  signal?: AbortSignal;
}

/**
 * Waits until read models have processed the log up to a global position:
 * how the query bus gives read-your-writes without depending on the event
 * store. `EventSourcingModule` provides one under {@link POSITION_WAITER};
 * an app may provide its own under that token.
 */
export interface PositionWaiter {
  /** Resolves once the subscribers' checkpoints reach `position`. */
  waitForPosition(position: number, options?: PositionWaitOptions): Promise<void>;
}

/** Injection token of the app's {@link PositionWaiter}. */
export const POSITION_WAITER = Symbol.for('cello:position-waiter');
