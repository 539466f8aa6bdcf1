import type { SagaAttempt } from './saga-attempt';
import type { SagaContext } from '../definition/saga-step-execution';
import type { SagaStatus, SagaStepStatus } from '../machine/saga-machine.types';

/** Outcome of a saga run (the seed's `SagaResult`). */
export interface SagaResult<C extends object = SagaContext> {
  /** True when every step completed. */
  readonly success: boolean;
  readonly sagaId: string;
  readonly status: SagaStatus;
  /** Steps whose action completed, in order (including ones later compensated). */
  readonly stepsCompleted: string[];
  /** The step that failed or timed out, if any. */
  readonly failedStep?: string;
  /** Why the saga did not complete: a SagaStepFailedError, SagaTimeoutError or SagaCompensationFailedError. */
  readonly error?: Error;
  /** Steps whose compensation ran, in the order they ran. */
  readonly compensatedSteps: string[];
  readonly timedOut: boolean;
  /** The final context. */
  readonly context: C;
}

/** Progress of one saga instance, for `getStatus`, `list` and dashboards. */
export interface SagaStatusView {
  readonly sagaId: string;
  readonly sagaName: string;
  readonly status: SagaStatus;
  readonly steps: {
    name: string;
    status: SagaStepStatus;
    attempts: number;
    compensationAttempts: number;
  }[];
  readonly failedStep?: string;
  readonly error?: string;
  readonly timedOut: boolean;
  readonly context: SagaContext;
  readonly createdAt: Date;
  readonly updatedAt: Date;
  /** Instance holding (or last holding) the saga's lease. */
  readonly leaseOwner: string | null;
  /** Each step and compensation attempt, oldest first (the newest 100 kept); empty for sagas saved before this was kept. */
  readonly attempts: SagaAttempt[];
}
