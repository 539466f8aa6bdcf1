/**
 * What read-your-writes needs from the event-sourcing module: wait until the
 * projections have processed a global position. `SubscriptionManager` is one.
 */
export interface ReadModelPositionWaiter {
  waitForPosition(
    position: number,
    options?: { subscribers?: readonly string[]; timeoutMs?: number },
  ): Promise<void>;
}

/** Injection token of the {@link ReadModelPositionWaiter} (set when `enableEventSync` is on). */
export const READ_MODEL_POSITION_WAITER = Symbol('cello:cqrs:read-model-position-waiter');
