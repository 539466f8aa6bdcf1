import { Inject, Injectable } from '@nestjs/common';
import type { HealthIndicatorResult } from '@nestjs/terminus';
import { checkStorageHealth, DEFAULT_HEALTH_TIMEOUT_MS } from '@cello/core/internal';
import { SAGA_STORAGE } from '../saga.constants';
import type { SagaStorage } from '../storage/saga-storage';

/**
 * Terminus health indicator of the saga storage: `up` when it answers within
 * the timeout, `down` with the reason otherwise.
 *
 * `health.check([() => sagaHealth.isHealthy()])`
 */
@Injectable()
export class SagaStorageHealthIndicator {
  constructor(@Inject(SAGA_STORAGE) private readonly storage: SagaStorage) {}

  /** Up when the storage answers a query within the timeout, else down with the reason. */
  isHealthy<Key extends string = 'sagaStorage'>(
    key: Key = 'sagaStorage' as Key,
    timeoutMs = DEFAULT_HEALTH_TIMEOUT_MS,
  ): Promise<HealthIndicatorResult<Key>> {
    return checkStorageHealth(key, () => this.storage.ping(), timeoutMs);
  }
}
