import { Injectable, Logger } from '@nestjs/common';
import type { CompiledSaga } from './compiled-saga';
import { getSagaStepsMetadata } from '../decorators/saga-step.decorator';
import { DuplicateSagaError } from '../errors/duplicate-saga.error';
import { UnknownSagaError } from '../errors/unknown-saga.error';
import type { ResolvedSagaOptions } from '../saga-module-options';
import { compileSaga, sagaNameOf } from './saga-compiler';

/** The sagas this application knows, by class and by stored name. */
@Injectable()
export class SagaRegistry {
  private readonly byName = new Map<string, CompiledSaga>();
  private readonly byType = new Map<object, CompiledSaga>();

  /** Adds a compiled saga; a second class with the same name is an error. */
  register(saga: CompiledSaga): void {
    const existing = this.byName.get(saga.name);
    if (existing && existing.type !== saga.type) throw new DuplicateSagaError(saga.name);
    this.byName.set(saga.name, saga);
    this.byType.set(saga.type, saga);
  }

  /** True when the class is registered. */
  has(type: object): boolean {
    return this.byType.has(type);
  }

  /** The compiled saga of a class; `UnknownSagaError` when it was never registered. */
  get(type: object): CompiledSaga {
    const saga = this.byType.get(type);
    if (!saga) throw new UnknownSagaError(sagaNameOf(type));
    return saga;
  }

  /**
   * The compiled saga of a class, registering on first use a saga in the
   * explicit form (a class with a `steps` array, self-contained) that the
   * module was not told about; `UnknownSagaError` for anything else unknown.
   */
  getOrRegister(type: object, options: ResolvedSagaOptions): CompiledSaga {
    if (!this.has(type)) {
      const candidate = type as new () => object;
      const decorated = getSagaStepsMetadata(candidate).length > 0;
      const instance = decorated ? undefined : safeInstance(candidate);
      if (instance && Array.isArray((instance as { steps?: unknown }).steps)) {
        const saga = compileSaga(instance, options);
        this.register(saga);
        new Logger('SagaRegistry').warn(
          `Saga "${saga.name}" was not registered; it runs, but a restarted app can only recover it ` +
            'when it is listed in SagaModule.forRoot({ sagas: [...] }) or in providers.',
        );
      }
    }
    return this.get(type);
  }

  /** The compiled saga stored under `name`, if known. */
  findByName(name: string): CompiledSaga | undefined {
    return this.byName.get(name);
  }

  /** Every registered saga. */
  all(): CompiledSaga[] {
    return [...this.byName.values()];
  }
}

function safeInstance(type: new () => object): object | undefined {
  try {
    return new type();
  } catch {
    return undefined;
  }
}
