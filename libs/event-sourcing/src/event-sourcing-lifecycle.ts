import { isCelloError } from '@cello/core';
import { StorageStarter } from '@cello/core/internal';
import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationShutdown,
  type OnModuleInit,
} from '@nestjs/common';
import { EVENT_STORAGE } from './event-sourcing.constants';
import { EventStoreUnavailableError } from './errors/event-store-unavailable.error';
import { EventRegistry } from './event/event-registry';
import type { EventStorage } from './store/event-storage';
import { SubscriptionManager } from './subscriptions/subscription-manager';

/**
 * Starts and stops the event-sourcing core: checks the subscribers, the
 * registered event types and upcasters once (fail fast), starts the storage
 * through core's `StorageStarter` (an unreachable database logs one warning
 * and is retried in the background; until then every operation fails fast
 * with `EventStoreUnavailableError`), stops retrying on shutdown.
 */
@Injectable()
export class EventSourcingLifecycle implements OnModuleInit, OnApplicationShutdown {
  private readonly starter: StorageStarter;

  constructor(
    @Inject(EVENT_STORAGE) private readonly storage: EventStorage,
    private readonly registry: EventRegistry,
    private readonly subscriptions: SubscriptionManager,
  ) {
    this.starter = new StorageStarter({
      name: 'Event store',
      connect: () => this.storage.init(),
      isOutage: (error) => isCelloError(error, EventStoreUnavailableError.code),
      logger: new Logger('EventSourcing'),
      meanwhile: 'operations that need the event store fail with EventStoreUnavailableError',
    });
  }

  /** Nest hook: checks the declarations, then connects the storage (or retries in the background). */
  async onModuleInit(): Promise<void> {
    // Declaration errors surface before the storage connects, so a failed
    // start leaves no connection open behind it.
    this.subscriptions.discoverSubscribers();
    this.registry.validate();
    await this.starter.start();
  }

  /** Nest hook: stops the retries (`EventSourcingCoreModule` then closes the storage). */
  async onApplicationShutdown(): Promise<void> {
    await this.starter.stop();
  }
}
