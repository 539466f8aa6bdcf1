import { POSITION_WAITER } from '@cello/core/internal';
import { Global, Module, type DynamicModule, type Provider } from '@nestjs/common';
import { EVENT_SOURCING_OPTIONS, EVENT_STORAGE } from './event-sourcing.constants';
import type {
  EventSourcingModuleAsyncOptions,
  EventSourcingModuleOptions,
  EventSourcingOptionsFactory,
} from './event-sourcing-module-options';
import { EventSourcingLifecycle } from './event-sourcing-lifecycle';
import { EventRegistry } from './event/event-registry';
import { EventStoreHealthIndicator } from './health/event-store.health-indicator';
import { SubscriptionsHealthIndicator } from './health/subscriptions.health-indicator';
import { EventSerializer } from './serialization/event-serializer';
import { EventStore } from './store/event-store';
import { resolveEventStorage } from './store/resolve-event-storage';
import { SubscriptionManager } from './subscriptions/subscription-manager';
import { subscriptionProviders } from './subscriptions/subscription.providers';

const coreProviders: Provider[] = [
  {
    provide: EVENT_STORAGE,
    useFactory: (options: EventSourcingModuleOptions) => resolveEventStorage(options),
    inject: [EVENT_SOURCING_OPTIONS],
  },
  {
    provide: EventRegistry,
    useFactory: (options: EventSourcingModuleOptions) => {
      const registry = new EventRegistry();
      registry.registerFeature(options);
      return registry;
    },
    inject: [EVENT_SOURCING_OPTIONS],
  },
  EventSerializer,
  EventStore,
  EventStoreHealthIndicator,
  SubscriptionsHealthIndicator,
  EventSourcingLifecycle,
  ...subscriptionProviders,
  // Read-your-writes for the query bus, which knows only core's token.
  { provide: POSITION_WAITER, useExisting: SubscriptionManager },
];

const coreExports = [
  EVENT_SOURCING_OPTIONS,
  EVENT_STORAGE,
  EventRegistry,
  EventSerializer,
  EventStore,
  EventStoreHealthIndicator,
  SubscriptionsHealthIndicator,
  ...subscriptionProviders,
  POSITION_WAITER,
];

/**
 * The global half of `EventSourcingModule`: owns the options, the storage
 * (opened on init, closed on shutdown), the event registry and the `EventStore`.
 */
@Global()
@Module({})
export class EventSourcingCoreModule {
  /** The global core of `EventSourcingModule.forRoot`. */
  static forRoot(options: EventSourcingModuleOptions): DynamicModule {
    return {
      module: EventSourcingCoreModule,
      providers: [{ provide: EVENT_SOURCING_OPTIONS, useValue: options }, ...coreProviders],
      exports: coreExports,
    };
  }

  /** The global core of `EventSourcingModule.forRootAsync`. */
  static forRootAsync(options: EventSourcingModuleAsyncOptions): DynamicModule {
    return {
      module: EventSourcingCoreModule,
      imports: options.imports ?? [],
      providers: [...asyncOptionsProviders(options), ...coreProviders],
      exports: coreExports,
    };
  }
}

function asyncOptionsProviders(options: EventSourcingModuleAsyncOptions): Provider[] {
  if (options.useFactory) {
    return [
      {
        provide: EVENT_SOURCING_OPTIONS,
        useFactory: options.useFactory,
        inject: options.inject ?? [],
      },
    ];
  }
  const factoryClass = options.useClass ?? options.useExisting;
  if (!factoryClass) {
    throw new TypeError(
      'EventSourcingModule.forRootAsync() needs one of useFactory, useClass or useExisting.',
    );
  }
  const optionsProvider: Provider = {
    provide: EVENT_SOURCING_OPTIONS,
    useFactory: (factory: EventSourcingOptionsFactory) => factory.createEventSourcingOptions(),
    inject: [factoryClass],
  };
  return options.useClass
    ? [optionsProvider, { provide: options.useClass, useClass: options.useClass }]
    : [optionsProvider];
}
