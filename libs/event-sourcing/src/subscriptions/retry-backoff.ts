/** Longest wait between two attempts, whatever the doubling reaches. */
export const MAX_RETRY_DELAY_MS = 30_000;

/**
 * Delay before retry number `attempt` (1 = the first retry): `baseMs` doubled
 * per attempt, capped, with ±50% jitter so that instances retrying the same
 * failure do not hit a recovering database in lockstep.
 */
export function retryDelayMs(attempt: number, baseMs: number, capMs = MAX_RETRY_DELAY_MS): number {
  const exponential = Math.min(capMs, baseMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(exponential * (0.5 + Math.random()));
}
