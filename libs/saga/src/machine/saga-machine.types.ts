/**
 * TypeScript shapes of the Rust saga state machine's JSON (native/crates/core/src/saga.rs).
 * Keep in step with the serde attributes there.
 */

/**
 * Overall status of a saga instance. `corrupt` is never made by the machine:
 * the runner sets it on a saga whose stored state cannot be read, which is
 * then never claimed again (quarantined).
 */
export type SagaStatus =
  | 'running'
  | 'compensating'
  | 'completed'
  | 'compensated'
  | 'compensation_failed'
  | 'timed_out'
  | 'corrupt';

/** Statuses from which the saga moves on by itself no more. */
export const TERMINAL_SAGA_STATUSES: readonly SagaStatus[] = [
  'completed',
  'compensated',
  'compensation_failed',
  'timed_out',
  'corrupt',
];

/** Where one step stands. */
export type SagaStepStatus =
  | 'pending'
  | 'running'
  | 'completed'
  | 'failed'
  | 'compensating'
  | 'compensated'
  | 'compensation_failed';

/** Static step description the machine needs. */
export interface MachineStepDefinition {
  name: string;
  maxRetries: number;
  hasCompensation: boolean;
  compensateOnFailure: boolean;
  /** Recovery of the step when in flight at a crash. Default: 'retry'. */
  onInterrupted?: 'retry' | 'compensate';
}

/** Static saga description the machine needs. */
export interface MachineDefinition {
  steps: MachineStepDefinition[];
  retryBaseMs: number;
  retryCapMs: number;
  timeoutMs: number | null;
}

/** A command the runner must carry out. */
export type SagaCommand =
  | { type: 'run_step'; index: number; attempt: number; delayMs: number }
  | { type: 'compensate'; index: number; attempt: number; delayMs: number }
  | { type: 'finish'; status: SagaStatus };

/** Persisted machine state of one saga instance. */
export interface SagaMachineState {
  definition: MachineDefinition;
  status: SagaStatus;
  steps: { status: SagaStepStatus; attempts: number; compensationAttempts: number }[];
  startedAtMs: number;
  deadlineMs: number | null;
  failedStep: number | null;
  error: string | null;
  timedOut: boolean;
  inFlight: SagaCommand | null;
}

/** Something that happened, fed to the machine. */
export type SagaMachineEvent =
  | { type: 'start'; nowMs: number }
  | { type: 'step_succeeded'; index: number; nowMs: number }
  | {
      type: 'step_failed';
      index: number;
      retryable: boolean;
      error: string;
      nowMs: number;
      seed: number;
    }
  | { type: 'step_timed_out'; index: number; error: string }
  | { type: 'timeout'; nowMs: number }
  | { type: 'compensation_succeeded'; index: number }
  | { type: 'compensation_failed'; index: number; error: string; nowMs: number; seed: number }
  | { type: 'recover'; nowMs: number; seed: number }
  | { type: 'retry_compensation' };

/** What one transition returns. */
export interface SagaTransition {
  state: SagaMachineState;
  commands: SagaCommand[];
}
