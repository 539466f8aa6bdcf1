import type { Event } from '../event/event';
import type { SubscriptionEnvelope } from './subscription-envelope';

/** One event of a batch handed to an `@EventBatchHandler` method, with its envelope. */
export interface EventBatchItem<E extends Event = Event> {
  /** The decoded event (an instance of its class, upcast to the current schema). */
  readonly event: E;
  /** Where it sits in the global log and its stream; `attempt` counts deliveries of this batch. */
  readonly envelope: SubscriptionEnvelope;
}

/**
 * What an `@EventBatchHandler` method receives: the handled events of one read
 * page, in global position order (never empty, at most the subscriber's `batchSize`).
 */
export type EventBatch<E extends Event = Event> = readonly EventBatchItem<E>[];
