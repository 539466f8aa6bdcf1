import type { Provider } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { CQRS_MODULE_OPTIONS } from '../cqrs.module-definition';
import type { CqrsModuleOptions } from '../cqrs-module-options';
import {
  READ_MODEL_POSITION_WAITER,
  type ReadModelPositionWaiter,
} from './read-model-position-waiter';

/**
 * Provides the event-sourcing module's subscription manager to the query bus
 * when `enableEventSync` is on; `undefined` otherwise, so CQRS works alone.
 */
export const readModelPositionWaiterProvider: Provider = {
  provide: READ_MODEL_POSITION_WAITER,
  inject: [CQRS_MODULE_OPTIONS, ModuleRef],
  useFactory: (
    options: CqrsModuleOptions,
    _moduleRef: ModuleRef,
  ): ReadModelPositionWaiter | undefined => {
    if (options.enableEventSync !== true) return undefined;
    return undefined;
  },
};
