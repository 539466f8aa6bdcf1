import { Inject, Injectable, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { EVENT_STORAGE } from './event-sourcing.constants';
import { EventRegistry } from './event/event-registry';
import type { EventStorage } from './store/event-storage';

/**
 * Starts and stops the event-sourcing core: checks the registered event types
 * and upcasters once (fail fast), prepares the storage, closes it on shutdown.
 */
@Injectable()
export class EventSourcingLifecycle implements OnModuleInit, OnApplicationShutdown {
  constructor(
    @Inject(EVENT_STORAGE) private readonly storage: EventStorage,
    private readonly registry: EventRegistry,
  ) {}

  async onModuleInit(): Promise<void> {
    this.registry.validate();
    await this.storage.init();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.storage.close();
  }
}
