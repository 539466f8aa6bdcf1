/** Saga context: a plain JSON object propagated from step to step and persisted after each. */
export type SagaContext = Record<string, unknown>;

/** What a step's action or compensation receives. */
export interface SagaStepExecution<C extends object = SagaContext> {
  /** The saga's context; changes made by a successful action are kept and saved. */
  context: C;
  readonly sagaId: string;
  readonly sagaName: string;
  readonly stepName: string;
  /**
   * Stable across retries and recoveries: `<sagaId>:<step>` for the action,
   * `<sagaId>:<step>:compensate` for the compensation. Pass it to services
   * (payment APIs...) so that a repeated call has no second effect.
   */
  readonly idempotencyKey: string;
  /** 1 for the first attempt, counting retries and attempts lost to crashes. */
  readonly attempt: number;
  /** Aborted when the step or the saga times out, or the saga is taken over. */
  readonly signal: AbortSignal;
}

/** A step action or compensation. Its return value is ignored; change `context` instead. */
export type SagaStepHandler<C extends object = SagaContext> = (
  execution: SagaStepExecution<C>,
) => unknown;

/** Per-step policy shared by both ways of declaring steps. */
export interface SagaStepPolicy {
  /** Retries after the first attempt. Default: the module's `maxRetries` (3). */
  maxRetries?: number;
  /** Seconds one attempt may take; when exceeded the saga is compensated and ends `timed_out`. Default: none. */
  timeout?: number;
  /** `false`: any failure of this step is final (no retries). Default: true. */
  retryable?: boolean;
  /** Also compensate this step when it fails itself (its effect may have partly happened). Default: false. */
  compensateOnFailure?: boolean;
  /**
   * Recovery of this step when it was in flight at a crash: `'retry'` runs it
   * again with the same idempotency key; `'compensate'` fails the saga here and
   * compensates this step (its effect may have happened) and those before. Default: 'retry'.
   */
  onInterrupted?: 'retry' | 'compensate';
}
