import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { DiscoveryService } from '@nestjs/core';
import { getSagaMetadata, Saga } from './decorators/saga.decorator';
import { getSagaStepsMetadata } from './decorators/saga-step.decorator';
import { compileSaga, sagaNameOf } from './definition/saga-compiler';
import { InvalidSagaDefinitionError } from './errors/invalid-saga-definition.error';
import { SagaRegistry } from './definition/saga-registry';
import { SAGA_MODULE_OPTIONS, SAGA_STORAGE } from './saga.constants';
import type { ResolvedSagaOptions } from './saga-module-options';
import { SAGA_CLASSES } from './saga-classes.token';
import type { SagaStorage } from './storage/saga-storage';

/**
 * Finds sagas once, at start-up: providers decorated with `@Saga` (or
 * extending `Saga`), plus the classes listed in `forRoot({ sagas })`.
 * Misconfigured sagas fail the start with a typed error, after closing the
 * storage the module opened (nothing else would: Nest runs no shutdown hooks
 * for an application that failed to start).
 */
@Injectable()
export class SagaExplorer implements OnModuleInit {
  constructor(
    private readonly discovery: DiscoveryService,
    private readonly registry: SagaRegistry,
    @Inject(SAGA_MODULE_OPTIONS) private readonly options: ResolvedSagaOptions,
    @Inject(SAGA_CLASSES) private readonly listed: (new () => object)[],
    @Inject(SAGA_STORAGE) private readonly storage: SagaStorage,
  ) {}

  async onModuleInit(): Promise<void> {
    try {
      this.explore();
    } catch (error) {
      await this.storage.close().catch(() => undefined);
      throw error;
    }
  }

  private explore(): void {
    const found = new Set<object>();
    for (const wrapper of this.discovery.getProviders()) {
      const instance = wrapper.instance as object | undefined;
      if (!instance || typeof instance !== 'object' || !wrapper.metatype) continue;
      const type = instance.constructor;
      const isSaga =
        getSagaMetadata(type) !== undefined ||
        getSagaStepsMetadata(type).length > 0 ||
        instance instanceof Saga;
      if (!isSaga || found.has(type)) continue;
      if (!wrapper.isDependencyTreeStatic()) {
        // Nest only has a bare prototype for it at start-up: its steps would run without dependencies.
        throw new InvalidSagaDefinitionError(
          sagaNameOf(type),
          `${type.name} is request-scoped (its own scope, or a request-scoped dependency), but a ` +
            'saga runs outside any request and is resumed by any instance after a crash. Make it a ' +
            'singleton: drop { scope: Scope.REQUEST } or the request-scoped dependency, and put what ' +
            'it needs from the request into the saga context.',
        );
      }
      found.add(type);
      this.registry.register(compileSaga(instance, this.options));
    }
    for (const type of this.listed) {
      if (found.has(type)) continue;
      this.registry.register(compileSaga(new type(), this.options));
    }
  }
}
