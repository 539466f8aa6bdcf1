import type { SubscriberFailurePolicy } from '../event-sourcing-module-options';
import type { SubscriberStartFrom } from '../decorators/event-subscriber.decorator';
import type { Event, EventClass } from '../event/event';
import type { SubscriptionEnvelope } from './subscription-envelope';

/** A subscriber method bound to its instance. */
export type BoundEventHandler = (event: Event, envelope: SubscriptionEnvelope) => unknown;

/** The handlers of one stored event type within a subscriber. */
export interface HandledEventType {
  readonly eventClass: EventClass;
  readonly handlers: readonly BoundEventHandler[];
}

/** A subscriber's settings after defaults are applied. */
export interface SubscriberSettings {
  readonly maxAttempts: number;
  readonly retryDelayMs: number;
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
  readonly settings: SubscriberSettings;
}

/** Optional hook of a subscriber instance, called by `reset`/`rebuild` before it replays. */
export interface OnSubscriberReset {
  /** Clear what the subscriber built after `position` (e.g. truncate a read model at 0). */
  onSubscriberReset(position: number): unknown;
}
