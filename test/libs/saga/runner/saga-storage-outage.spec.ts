import { compileSaga } from '@cello/saga/definition/saga-compiler';
import { SagaRegistry } from '@cello/saga/definition/saga-registry';
import { Saga } from '@cello/saga/decorators/saga.decorator';
import { SagaStep } from '@cello/saga/decorators/saga-step.decorator';
import { SagaInvalidInputError } from '@cello/saga/errors/saga-invalid-input.error';
import { SagaStorageUnavailableError } from '@cello/saga/errors/saga-storage-unavailable.error';
import { resolveSagaOptions } from '@cello/saga/resolve-saga-options';
import { MemorySagaStorage } from '@cello/saga/storage/memory/memory-saga-storage';
import type { SagaWrite } from '@cello/saga/storage/saga-storage';
import { SagaRunner } from '@cello/saga/runner/saga-runner';

/** Memory storage whose next `failures` saves fail as if the database were down. */
class FlakyStorage extends MemorySagaStorage {
  failures = 0;

  override async save(write: SagaWrite): Promise<boolean> {
    if (this.failures > 0) {
      this.failures -= 1;
      throw new SagaStorageUnavailableError('save sagas', { cause: new Error('ECONNREFUSED') });
    }
    return super.save(write);
  }
}

const calls: string[] = [];

class TwoStepSaga extends Saga {
  steps = [
    new SagaStep({ name: 'one', action: () => void calls.push('one') }),
    new SagaStep({ name: 'two', action: () => void calls.push('two') }),
  ];
}

describe('when the saga storage is unreachable for a while', () => {
  it('should wait before acting, then resume and complete without repeating a step', async () => {
    // Given
    const storage = new FlakyStorage();
    const options = resolveSagaOptions({ recovery: false });
    const registry = new SagaRegistry();
    registry.register(compileSaga(new TwoStepSaga(), options));
    const runner = new SagaRunner(registry, storage, options);
    storage.failures = 3; // the save after step one fails three times
    // When
    const result = await runner.execute(TwoStepSaga, {});
    // Then
    expect(result.status).toBe('completed');
    expect(calls).toEqual(['one', 'two']);
    expect(storage.failures).toBe(0);
  });
});

/** Memory storage that refuses every save's values, as a database refuses a poisoned row. */
class RefusingStorage extends MemorySagaStorage {
  saves = 0;

  override async save(): Promise<boolean> {
    this.saves += 1;
    throw new SagaInvalidInputError(undefined, 'invalid input syntax for type json');
  }
}

describe('when the saga storage refuses a transition as invalid input', () => {
  it('should give up at once instead of waiting for the storage', async () => {
    // Given
    const storage = new RefusingStorage();
    const options = resolveSagaOptions({ recovery: false });
    const registry = new SagaRegistry();
    registry.register(compileSaga(new TwoStepSaga(), options));
    const runner = new SagaRunner(registry, storage, options);
    // When
    const error = await runner.execute(TwoStepSaga, {}).catch((e: unknown) => e);
    // Then
    expect(error).toBeInstanceOf(SagaInvalidInputError);
    expect(storage.saves).toBe(1);
  });
});
