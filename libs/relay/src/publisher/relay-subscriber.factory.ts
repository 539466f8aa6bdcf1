import { EventBatchHandler, EventSubscriber, type EventBatch } from '@cello/event-sourcing';
import { Injectable } from '@nestjs/common';
import { RelayPublisher } from './relay-publisher';
import type { RelayDefinitionOptions } from './relay-module-options';

/** Default subscriber name of the relay. */
export const DEFAULT_RELAY_NAME = 'cello-relay';

/** The provider the relay module registers: an `@EventBatchHandler` subscriber. */
export interface RelaySubscriber {
  relay(batch: EventBatch): Promise<void>;
}

/**
 * Builds the relay's subscriber class for one module declaration: a durable
 * subscriber (one active instance per application through the leases, fenced
 * checkpoint) whose batch method returns only once JetStream acked the batch, so
 * the checkpoint never passes an event JetStream does not have.
 */
export function createRelaySubscriberClass(
  options: RelayDefinitionOptions,
): new (publisher: RelayPublisher) => RelaySubscriber {
  @EventSubscriber({
    name: options.name ?? DEFAULT_RELAY_NAME,
    batchSize: options.batchSize,
    retryDelayMs: options.retryDelayMs,
    maxRetryDelayMs: options.maxRetryDelayMs,
    startFrom: options.startFrom,
  })
  @Injectable()
  class CelloRelaySubscriber implements RelaySubscriber {
    constructor(readonly publisher: RelayPublisher) {}

    @EventBatchHandler(...options.events)
    async relay(batch: EventBatch): Promise<void> {
      await this.publisher.publish(batch);
    }
  }
  return CelloRelaySubscriber;
}
