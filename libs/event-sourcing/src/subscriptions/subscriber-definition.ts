import type { EntityManager } from 'typeorm';
import type { SubscriberFailurePolicy } from '../event-sourcing-module-options';
import type { SubscriberStartFrom } from '../decorators/event-subscriber.decorator';
import type { Event, EventClass } from '../event/event';
import type { EventBatch } from './event-batch';
import type { SubscriptionEnvelope } from './subscription-envelope';

/** A subscriber method bound to its instance. */
export type BoundEventHandler = (event: Event, envelope: SubscriptionEnvelope) => unknown;

/** A subscriber's `@EventBatchHandler` method bound to its instance. */
export type BoundEventBatchHandler = (batch: EventBatch) => unknown;

/**
 * The handlers of one stored event type within a subscriber: per-event methods
 * (`@EventHandler`) or batch methods (`@EventBatchHandler`), never both.
 */
export interface HandledEventType {
  readonly eventClass: EventClass;
  /** `@EventHandler` methods, called with one event at a time. */
  readonly handlers: readonly BoundEventHandler[];
  /** `@EventBatchHandler` methods that receive this type (absent or empty for per-event types). */
  readonly batchHandlers?: readonly BoundEventBatchHandler[];
}

/**
 * A subscriber's own answer to "is this handler error transient?": true
 * (retry without limit, never park), false (count it towards `maxAttempts`,
 * then park), or undefined to leave it to Cello's `isTransientError`.
 */
export type SubscriberErrorClassifier = (error: unknown) => boolean | undefined;

/** A subscriber's settings after defaults are applied. */
export interface SubscriberSettings {
  readonly maxAttempts: number;
  readonly retryDelayMs: number;
  readonly maxRetryDelayMs: number;
  readonly isTransient?: SubscriberErrorClassifier;
  readonly onFailure: SubscriberFailurePolicy;
  readonly batchSize: number;
  readonly startFrom: SubscriberStartFrom;
  readonly pollIntervalMs: number;
  readonly leaseTtlMs: number;
}

/** A discovered subscriber: its name, instance and handled event types. */
export interface SubscriberDefinition {
  readonly name: string;
  readonly className: string;
  readonly instance: object;
  /** Handled event types by stored type name. */
  readonly handledTypes: ReadonlyMap<string, HandledEventType>;
  /** Every `@EventBatchHandler` method, in declaration order (the order they are called in). */
  readonly batchHandlers?: readonly BoundEventBatchHandler[];
  readonly settings: SubscriberSettings;
  /** True for `@EventSubscriber({ inline: true })`: run in the append's transaction. */
  readonly inline?: boolean;
}

/** Optional hook of a subscriber instance, called by `reset`/`rebuild` before it replays. */
export interface OnSubscriberReset {
  /**
   * Clear what the subscriber built after `position` (e.g. truncate a read model
   * at 0). An inline subscriber's rebuild calls it with 0 and the `EntityManager`
   * of its own transaction (SQL storages; undefined on memory).
   */
  onSubscriberReset(position: number, manager?: EntityManager): unknown;
}
