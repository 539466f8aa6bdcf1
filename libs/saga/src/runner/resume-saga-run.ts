import type { CompiledSaga } from '../definition/compiled-saga';
import type { SagaRegistry } from '../definition/saga-registry';
import { SagaCorruptError } from '../errors/saga-corrupt.error';
import { SagaDefinitionChangedError } from '../errors/saga-definition-changed.error';
import { UnknownSagaError } from '../errors/unknown-saga.error';
import { SagaMachineHandle } from '../machine/saga-machine-handle';
import { storedStateProblem } from '../machine/stored-state-problem';
import type { SagaRecord } from '../storage/saga-storage';
import type { ActiveSagaRun } from './active-saga-run';
import { attemptsOf } from './saga-attempt';
import { originOf } from './saga-origin';

/**
 * A stored saga, ready to be driven here: `UnknownSagaError` when this app
 * does not register it, `SagaCorruptError` for a state that cannot be read,
 * `SagaDefinitionChangedError` when its steps changed since it started.
 */
export function resumeSagaRun(registry: SagaRegistry, record: SagaRecord): ActiveSagaRun {
  const saga = registry.findByName(record.sagaName);
  if (!saga) throw new UnknownSagaError(record.sagaName);
  const problem = storedStateProblem(record.state);
  if (problem !== undefined) throw new SagaCorruptError(record.id, record.sagaName, problem);
  checkSameSteps(record, saga);
  const stateJson = JSON.stringify(record.state);
  return {
    saga,
    id: record.id,
    fencingToken: record.fencingToken,
    machine: SagaMachineHandle.fromStateJson(stateJson),
    stateJson,
    status: record.status,
    context: record.context,
    stop: new AbortController(),
    attempts: attemptsOf(record.state),
    origin: originOf(record.state),
  };
}

/**
 * Stored progress refers to steps by position: a saga may only be driven by a
 * definition with the same steps, in the same order, with compensations where
 * it had them.
 */
function checkSameSteps(record: SagaRecord, saga: CompiledSaga): void {
  const stored = record.state.definition.steps;
  const current = saga.machine.steps;
  const same =
    stored.length === current.length &&
    stored.every(
      (step, i) =>
        step.name === current[i].name && step.hasCompensation === current[i].hasCompensation,
    );
  if (!same) {
    throw new SagaDefinitionChangedError(
      record.id,
      record.sagaName,
      stored.map((step) => step.name),
      current.map((step) => step.name),
    );
  }
}
