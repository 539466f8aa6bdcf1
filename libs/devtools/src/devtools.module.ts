import { Module } from '@nestjs/common';
import type { DynamicModule } from '@nestjs/common';
import { DEVTOOLS_OPTIONS } from './devtools-module-options';
import type { DevtoolsModuleOptions } from './devtools-module-options';
import { DevtoolsEnabledGuard } from './devtools-enabled.guard';
import { EventBrowser } from './events/event-browser';
import { EventsBrowserController } from './events/events-browser.controller';
import { SagaDashboardController } from './sagas/saga-dashboard.controller';

/**
 * The developer pages: an event browser at `/events` and a saga dashboard at
 * `/sagas`, over JSON endpoints under `/events/api` and `/sagas/api`. They use
 * whichever of `EventSourcingModule` and `SagaModule` the app imports.
 */
@Module({})
export class DevtoolsModule {
  static forRoot(options: DevtoolsModuleOptions = {}): DynamicModule {
    return {
      module: DevtoolsModule,
      controllers: [EventsBrowserController, SagaDashboardController],
      providers: [
        { provide: DEVTOOLS_OPTIONS, useValue: options },
        DevtoolsEnabledGuard,
        EventBrowser,
      ],
    };
  }
}
