import { Module, type DynamicModule } from '@nestjs/common';
import { EventSourcingCoreModule } from './event-sourcing-core.module';
import type {
  EventSourcingModuleAsyncOptions,
  EventSourcingModuleOptions,
} from './event-sourcing-module-options';
import { EventRegistry, type EventSourcingFeature } from './event/event-registry';

let featureCount = 0;

/**
 * Event sourcing for a Nest application: `forRoot`/`forRootAsync` once in the
 * root module (storage, `EventStore`, subscriptions), `forFeature` in feature
 * modules for their aggregates, events and upcasters.
 */
@Module({})
export class EventSourcingModule {
  /** Configures the event store for the whole application. */
  static forRoot(options: EventSourcingModuleOptions = {}): DynamicModule {
    return {
      module: EventSourcingModule,
      imports: [EventSourcingCoreModule.forRoot(options)],
    };
  }

  /** Like `forRoot`, with options made by a factory from injected providers. */
  static forRootAsync(options: EventSourcingModuleAsyncOptions): DynamicModule {
    return {
      module: EventSourcingModule,
      imports: [EventSourcingCoreModule.forRootAsync(options)],
    };
  }

  /** Registers a feature module's aggregates, events and upcasters. */
  static forFeature(feature: EventSourcingFeature): DynamicModule {
    const token = Symbol(`cello:event-sourcing-feature-${++featureCount}`);
    return {
      module: EventSourcingModule,
      providers: [
        {
          provide: token,
          useFactory: (registry: EventRegistry) => registry.registerFeature(feature),
          inject: [EventRegistry],
        },
      ],
    };
  }
}
