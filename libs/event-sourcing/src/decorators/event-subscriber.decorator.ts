import { EVENT_SUBSCRIBER_METADATA } from '../event-sourcing.constants';
import { checkClassTarget, checkDecoratorOptions } from './decorator-use-checks';
import type { SubscriberFailurePolicy } from '../event-sourcing-module-options';
import type { SubscriberErrorClassifier } from '../subscriptions/subscriber-definition';

/** Where a subscriber with no checkpoint yet starts reading the global log. */
export type SubscriberStartFrom = 'beginning' | 'end' | number;

/** Options of `@EventSubscriber`; unset fields take the module's `subscriptions` defaults. */
export interface EventSubscriberOptions {
  /**
   * Stable name of the subscriber: it keys the durable checkpoint, the lease and
   * parked events. Default: the class name — set it, so renaming or minifying the
   * class does not restart the subscriber from the beginning.
   */
  name?: string;
  /**
   * Attempts per event before it is parked, counting only errors that are not
   * transient (transient ones are retried without limit). Default: module's
   * `subscriptions.maxAttempts` (5).
   */
  maxAttempts?: number;
  /** First retry delay in ms, doubled per attempt with jitter. Default: module's (100). */
  retryDelayMs?: number;
  /** Longest delay between two attempts, in ms (with ±50% jitter). Default: module's (5000). */
  maxRetryDelayMs?: number;
  /**
   * Overrides which handler errors are transient: return true (retry without
   * limit, never park), false (park after `maxAttempts`) or undefined (Cello's
   * `isTransientError` decides: lost connections, timeouts, deadlocks,
   * serialization failures, unavailable storages, `TransientError`).
   * Default: module's, else Cello's alone.
   */
  isTransient?: SubscriberErrorClassifier;
  /** After the last attempt: park and move on, or park and stop. Default: module's ('park-and-continue'). */
  onFailure?: SubscriberFailurePolicy;
  /**
   * Events read per batch (the checkpoint is written once per batch), and the
   * most an `@EventBatchHandler` call receives. Default: module's (500).
   */
  batchSize?: number;
  /**
   * Where a subscriber without a checkpoint starts: 'beginning' (replays the whole
   * log), 'end' (only events appended from now on) or after a given position.
   * Default 'beginning'.
   */
  startFrom?: SubscriberStartFrom;
  /**
   * Runs the subscriber's `@EventHandler` methods inside each append's
   * transaction, as an inline projection: they get `(event, context)` with the
   * transaction's `EntityManager`, and their error rolls the append back
   * (`InlineProjectionError`). No checkpoint, retries or parking: the retry and
   * `startFrom` options are refused, `batchSize` is the rebuild's page size.
   * Default false (asynchronous, after the commit).
   */
  inline?: boolean;
}

/**
 * Optional class decorator of a subscriber (a provider with `@EventHandler`
 * methods that is not an aggregate): names it and tunes its retries.
 */
export function EventSubscriber(options: EventSubscriberOptions = {}): ClassDecorator {
  // Values are checked at start-up by the explorer (with the module's defaults); here
  // only what the explorer would never see: unknown keys and a non-class target.
  checkDecoratorOptions(
    '@EventSubscriber',
    'a subscriber class',
    options,
    EVENT_SUBSCRIBER_OPTIONS,
  );
  const decorate = (target: { readonly name: string }, key?: string | symbol) => {
    checkClassTarget('@EventSubscriber', target, key);
    Reflect.defineMetadata(EVENT_SUBSCRIBER_METADATA, { ...options }, target);
  };
  return decorate as ClassDecorator;
}

const EVENT_SUBSCRIBER_OPTIONS: readonly (keyof EventSubscriberOptions)[] = [
  'name',
  'maxAttempts',
  'retryDelayMs',
  'maxRetryDelayMs',
  'isTransient',
  'onFailure',
  'batchSize',
  'startFrom',
  'inline',
];

/** The `@EventSubscriber` options of `target`, or undefined when it has none. */
export function getEventSubscriberOptions(target: object): EventSubscriberOptions | undefined {
  return Reflect.getOwnMetadata(EVENT_SUBSCRIBER_METADATA, target) as
    EventSubscriberOptions | undefined;
}
