import type { CompiledSaga } from '../definition/compiled-saga';
import type { SagaContext } from '../definition/saga-step-execution';
import { SagaRunnerStoppedError } from '../errors/saga-runner-stopped.error';
import type { SagaMachineHandle } from '../machine/saga-machine-handle';
import type { SagaCommand, SagaStatus } from '../machine/saga-machine.types';
import type { SagaAttempt } from './saga-attempt';
import type { SagaOrigin } from './saga-origin';

/** One saga this instance is driving. */
export interface ActiveSagaRun {
  readonly saga: CompiledSaga;
  readonly id: string;
  readonly fencingToken: number;
  /** The Rust state machine holding this saga's state. */
  readonly machine: SagaMachineHandle;
  /** The state as last saved. */
  stateJson: string;
  status: SagaStatus;
  /** The command decided by the last transition. */
  next?: SagaCommand;
  context: SagaContext;
  /** Aborted when the lease is lost or the app stops. */
  readonly stop: AbortController;
  stopReason?: Error;
  lastError?: unknown;
  /** Each action and compensation run so far (newest kept), saved with every transition. */
  attempts?: SagaAttempt[];
  /** The correlation (and trace) of the work that started it, saved with every transition. */
  readonly origin?: SagaOrigin;
}

/** Stops driving a run; the first reason given is the one its caller sees. */
export function haltRun(run: ActiveSagaRun, reason: Error): void {
  run.stopReason ??= reason;
  run.stop.abort();
}

/** What a halted run's caller gets. */
export function stopErrorOf(run: ActiveSagaRun): Error {
  return run.stopReason ?? new SagaRunnerStoppedError(run.id);
}
