import { Inject, Injectable } from '@nestjs/common';
import type { HealthIndicatorResult } from '@nestjs/terminus';
import { checkStorageHealth, DEFAULT_HEALTH_TIMEOUT_MS } from '@cello/core/internal';
import { EVENT_STORAGE } from '../event-sourcing.constants';
import type { EventStorage } from '../store/event-storage';

/**
 * Terminus health indicator of the event store: `up` when its storage answers
 * a query within the timeout, `down` with the reason otherwise.
 *
 * `health.check([() => eventStoreHealth.isHealthy()])`
 */
@Injectable()
export class EventStoreHealthIndicator {
  constructor(@Inject(EVENT_STORAGE) private readonly storage: EventStorage) {}

  /** Up when the storage answers a query within the timeout, else down with the reason. */
  isHealthy<Key extends string = 'eventStore'>(
    key: Key = 'eventStore' as Key,
    timeoutMs = DEFAULT_HEALTH_TIMEOUT_MS,
  ): Promise<HealthIndicatorResult<Key>> {
    return checkStorageHealth(key, () => this.storage.ping(), timeoutMs);
  }
}
