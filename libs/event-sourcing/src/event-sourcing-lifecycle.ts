import { isCelloError, redactSecrets } from '@cello/core';
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

/** How often start-up retries a storage that was unreachable, in milliseconds. */
export const STORAGE_RETRY_INTERVAL_MS = 1000;

/**
 * Starts and stops the event-sourcing core: checks the subscribers, the
 * registered event types and upcasters once (fail fast), prepares the
 * storage, closes it on shutdown.
 *
 * An unreachable storage does not stop the application (the seed's "log a
 * warning at startup but do not prevent the application from running"):
 * it logs one warning, keeps retrying in the background, and until then every
 * operation fails fast with `EventStoreUnavailableError`.
 */
@Injectable()
export class EventSourcingLifecycle implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('EventSourcing');
  private retryTimer?: NodeJS.Timeout;
  private stopped = false;

  constructor(
    @Inject(EVENT_STORAGE) private readonly storage: EventStorage,
    private readonly registry: EventRegistry,
    private readonly subscriptions: SubscriptionManager,
  ) {}

  /** Nest hook: checks the declarations, then connects the storage (or retries in the background). */
  async onModuleInit(): Promise<void> {
    // Declaration errors surface before the storage connects, so a failed
    // start leaves no connection open behind it.
    this.subscriptions.discoverSubscribers();
    this.registry.validate();
    try {
      await this.storage.init();
    } catch (error) {
      if (!isCelloError(error, EventStoreUnavailableError.code)) throw error;
      this.logger.warn(
        `${redactSecrets(error.message)}. Starting without it; operations that need the event store fail with ` +
          `EventStoreUnavailableError until it is reachable (retrying every ${STORAGE_RETRY_INTERVAL_MS} ms).`,
      );
      this.scheduleRetry();
    }
  }

  /** Nest hook: closes the storage. */
  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.retryTimer);
    await this.storage.close();
  }

  private scheduleRetry(): void {
    if (this.stopped) return;
    this.retryTimer = setTimeout(() => {
      this.storage.init().then(
        () => this.logger.log('Event store reachable again: connected and migrated'),
        () => this.scheduleRetry(),
      );
    }, STORAGE_RETRY_INTERVAL_MS);
    this.retryTimer.unref();
  }
}
