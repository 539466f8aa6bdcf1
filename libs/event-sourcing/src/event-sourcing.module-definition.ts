import { createAsyncOptionsProviders } from '@cello/core/internal';
import type { Provider } from '@nestjs/common';
import { EVENT_SOURCING_OPTIONS } from './event-sourcing.constants';
import type {
  EventSourcingModuleAsyncOptions,
  EventSourcingModuleOptions,
} from './event-sourcing-module-options';

/** The options provider of `EventSourcingModule.forRoot(options)`. */
export function eventSourcingOptionsProviders(options: EventSourcingModuleOptions): Provider[] {
  return [{ provide: EVENT_SOURCING_OPTIONS, useValue: options }];
}

/** The options providers of `EventSourcingModule.forRootAsync({ useFactory | useClass | useExisting })`. */
export function eventSourcingAsyncOptionsProviders(
  options: EventSourcingModuleAsyncOptions,
): Provider[] {
  return createAsyncOptionsProviders(
    'EventSourcingModule',
    EVENT_SOURCING_OPTIONS,
    options,
    'createEventSourcingOptions',
  );
}
