/** One run of a step's action or compensation, as the saga's history keeps it. */
export interface SagaAttempt {
  readonly step: string;
  readonly kind: 'step' | 'compensation';
  /** 1 for the first attempt of this step (or compensation). */
  readonly attempt: number;
  /** ISO times. */
  readonly startedAt: string;
  readonly endedAt: string;
  readonly durationMs: number;
  readonly outcome: 'succeeded' | 'failed' | 'timed_out';
  readonly error: string | null;
  readonly idempotencyKey: string;
  /** The instance that ran it (the lease owner then). */
  readonly owner: string;
}

/** Most attempts a saga keeps (the newest); older ones are dropped so a retry storm cannot grow the row without end. */
export const MAX_SAGA_ATTEMPTS = 100;

/**
 * The machine's state JSON with the attempt history appended as an `attempts`
 * field. The Rust machine ignores fields it does not know, so the stored state
 * resumes as before.
 */
export function withAttempts(stateJson: string, attempts: readonly SagaAttempt[]): string {
  if (attempts.length === 0 || !stateJson.endsWith('}')) return stateJson;
  return `${stateJson.slice(0, -1)},"attempts":${JSON.stringify(attempts)}}`;
}

/** The attempt history stored in a saga's state; empty for sagas saved before it was kept. */
export function attemptsOf(state: unknown): SagaAttempt[] {
  const attempts = (state as { attempts?: unknown } | null)?.attempts;
  return Array.isArray(attempts) ? (attempts as SagaAttempt[]) : [];
}

/** Appends `attempt`, keeping the newest `MAX_SAGA_ATTEMPTS`. */
export function recordAttempt(attempts: SagaAttempt[], attempt: SagaAttempt): void {
  attempts.push(attempt);
  if (attempts.length > MAX_SAGA_ATTEMPTS) attempts.splice(0, attempts.length - MAX_SAGA_ATTEMPTS);
}
