import { Injectable } from '@nestjs/common';
import type { CompiledSaga } from './compiled-saga';
import { DuplicateSagaError } from '../errors/duplicate-saga.error';
import { UnknownSagaError } from '../errors/unknown-saga.error';
import { sagaNameOf } from './saga-compiler';

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

  /** The compiled saga stored under `name`, if known. */
  findByName(name: string): CompiledSaga | undefined {
    return this.byName.get(name);
  }

  /** Every registered saga. */
  all(): CompiledSaga[] {
    return [...this.byName.values()];
  }
}
