import { attemptsOf } from './saga-attempt';
import { SagaCompensationFailedError } from '../errors/saga-compensation-failed.error';
import { SagaStepFailedError } from '../errors/saga-step-failed.error';
import { SagaTimeoutError } from '../errors/saga-timeout.error';
import { storedStateProblem } from '../machine/stored-state-problem';
import type { SagaMachineState } from '../machine/saga-machine.types';
import type { SagaRecord } from '../storage/saga-storage';
import type { ActiveSagaRun } from './active-saga-run';
import type { SagaResult, SagaStatusView } from './saga-result';

/** What `execute` resolves with: the run's last saved state, its failure as a typed error. */
export function toSagaResult(run: ActiveSagaRun): SagaResult {
  const { saga } = run;
  const state = JSON.parse(run.stateJson) as SagaMachineState;
  const names = state.definition.steps.map((s) => s.name);
  const failed = state.failedStep ?? undefined;
  const actionDone = (i: number) =>
    i !== failed &&
    ['completed', 'compensating', 'compensated', 'compensation_failed'].includes(
      state.steps[i].status,
    );
  const stepsCompleted = names.filter((_, i) => actionDone(i));
  const compensatedSteps = names
    .map((name, i) => ({ name, i }))
    .filter(
      ({ i }) =>
        state.definition.steps[i].hasCompensation && state.steps[i].status === 'compensated',
    )
    .reverse()
    .map(({ name }) => name);
  const failedName = failed === undefined ? undefined : names[failed];
  const reason = state.error ?? 'unknown cause';
  let error: Error | undefined;
  if (state.status === 'compensation_failed') {
    const index = state.steps.findIndex((s) => s.status === 'compensation_failed');
    error = new SagaCompensationFailedError(saga.name, run.id, names[index], reason, {
      cause: run.lastError,
    });
  } else if (state.status === 'timed_out') {
    error = new SagaTimeoutError(saga.name, run.id, failedName, reason);
  } else if (state.status === 'compensated') {
    error = new SagaStepFailedError(saga.name, run.id, failedName ?? '?', reason, {
      cause: run.lastError,
    });
  }
  return {
    success: state.status === 'completed',
    sagaId: run.id,
    status: state.status,
    stepsCompleted,
    failedStep: failedName,
    error,
    compensatedSteps,
    timedOut: state.timedOut,
    context: run.context,
  };
}

/** Why a quarantined (or unreadable) saga's state cannot be read. */
export function corruptReason(record: SagaRecord): string {
  return storedStateProblem(record.state) ?? 'it was quarantined as corrupt';
}

/** What `getStatus` and `list` show of a stored saga. */
export function toSagaStatusView(record: SagaRecord): SagaStatusView {
  try {
    if (record.status === 'corrupt') throw new Error('quarantined');
    return readableView(record);
  } catch {
    // A corrupt row must not take the whole list (a dashboard) down with it.
    return {
      sagaId: record.id,
      sagaName: record.sagaName,
      status: record.status,
      steps: [],
      error: `its stored state is unreadable (a corrupt row): ${corruptReason(record)}`,
      timedOut: false,
      context: record.context,
      createdAt: record.createdAt,
      updatedAt: record.updatedAt,
      leaseOwner: record.leaseOwner,
      attempts: [],
    };
  }
}

function readableView(record: SagaRecord): SagaStatusView {
  const { state } = record;
  const names = state.definition.steps.map((s) => s.name);
  return {
    sagaId: record.id,
    sagaName: record.sagaName,
    status: record.status,
    steps: state.steps.map((s, i) => ({
      name: names[i],
      status: s.status,
      attempts: s.attempts,
      compensationAttempts: s.compensationAttempts,
    })),
    failedStep: state.failedStep === null ? undefined : names[state.failedStep],
    error: state.error ?? undefined,
    timedOut: state.timedOut,
    context: record.context,
    createdAt: record.createdAt,
    updatedAt: record.updatedAt,
    leaseOwner: record.leaseOwner,
    attempts: attemptsOf(state),
  };
}
