import { findUnstorableJsonValue, formatJsonValuePath, toStorableText } from '@cello/core/internal';
import { InvalidSagaContextError } from '../errors/invalid-saga-context.error';
import { InvalidSagaIdError } from '../errors/invalid-saga-id.error';
import type { SagaMachineState } from '../machine/saga-machine.types';
import type { SagaWrite } from '../storage/saga-storage';
import { MAX_SAGA_ID_LENGTH } from './saga-start-options';

/** A write whose state is sent as the JSON the machine produced, parsed only if a backend asks. */
export function writeOf<W extends Omit<SagaWrite, 'state' | 'stateJson'>>(
  fields: W,
  stateJson: string,
): W & SagaWrite {
  let parsed: SagaMachineState | undefined;
  return {
    ...fields,
    stateJson,
    get state(): SagaMachineState {
      return (parsed ??= JSON.parse(stateJson) as SagaMachineState);
    },
  };
}

/** The error naming the first value of `context` a storage could not store as given, if any. */
export function unstorableContext(
  sagaName: string,
  context: object,
): InvalidSagaContextError | undefined {
  const problem = findUnstorableJsonValue(context);
  return (
    problem &&
    new InvalidSagaContextError(
      sagaName,
      problem.reason,
      formatJsonValuePath('context', problem.path),
    )
  );
}

/** The error's message as stored in the saga state: a message echoing bad input must not poison the write. */
export function messageOf(error: unknown): string {
  return toStorableText(error instanceof Error ? error.message : String(error));
}

/** Refuses a caller-chosen id that the storages cannot key on. */
export function checkSagaId(sagaId: unknown): void {
  if (typeof sagaId !== 'string' || sagaId.length === 0) {
    throw new InvalidSagaIdError(sagaId, 'must be a non-empty string.');
  }
  if (sagaId.length > MAX_SAGA_ID_LENGTH || sagaId.includes('\u0000')) {
    throw new InvalidSagaIdError(
      sagaId,
      `must be at most ${MAX_SAGA_ID_LENGTH} characters, without NUL characters.`,
    );
  }
}
