import { POSITION_WAITER } from '@cello/core/internal';
import {
  Global,
  Inject,
  Module,
  type DynamicModule,
  type OnApplicationShutdown,
  type Provider,
} from '@nestjs/common';
import { EVENT_SOURCING_OPTIONS, EVENT_STORAGE } from './event-sourcing.constants';
import type {
  EventSourcingModuleAsyncOptions,
  EventSourcingModuleOptions,
} from './event-sourcing-module-options';
import {
  eventSourcingAsyncOptionsProviders,
  eventSourcingOptionsProviders,
} from './event-sourcing.module-definition';
import type { EventStorage } from './store/event-storage';
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
 * (started on init by `EventSourcingLifecycle`, closed here on shutdown, after
 * every provider of the module has stopped using it), the event registry and
 * the `EventStore`.
 */
@Global()
@Module({})
export class EventSourcingCoreModule implements OnApplicationShutdown {
  constructor(@Inject(EVENT_STORAGE) private readonly storage: EventStorage) {}

  /** The global core of `EventSourcingModule.forRoot`. */
  static forRoot(options: EventSourcingModuleOptions): DynamicModule {
    return {
      module: EventSourcingCoreModule,
      providers: [...eventSourcingOptionsProviders(options), ...coreProviders],
      exports: coreExports,
    };
  }

  /** The global core of `EventSourcingModule.forRootAsync`. */
  static forRootAsync(options: EventSourcingModuleAsyncOptions): DynamicModule {
    return {
      module: EventSourcingCoreModule,
      imports: options.imports ?? [],
      providers: [...eventSourcingAsyncOptionsProviders(options), ...coreProviders],
      exports: coreExports,
    };
  }

  /** Nest hook, run after the module's providers' own: closes the storage. */
  async onApplicationShutdown(): Promise<void> {
    await this.storage.close();
  }
}
