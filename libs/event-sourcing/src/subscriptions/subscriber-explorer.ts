import { Injectable } from '@nestjs/common';
import { DiscoveryService } from '@nestjs/core';
import { Aggregate } from '../aggregate/aggregate';
import { getEventBatchHandlerBindings } from '../decorators/event-batch-handler.decorator';
import { getEventHandlerBindings } from '../decorators/event-handler.decorator';
import {
  getEventSubscriberOptions,
  type EventSubscriberOptions,
} from '../decorators/event-subscriber.decorator';
import { getEventTypeMetadata } from '../decorators/event-type.decorator';
import { DuplicateSubscriberNameError } from '../errors/duplicate-subscriber-name.error';
import { InvalidSubscriberError } from '../errors/invalid-subscriber.error';
import type { SubscriptionOptions } from '../event-sourcing-module-options';
import type { EventClass } from '../event/event';
import type {
  BoundEventBatchHandler,
  BoundEventHandler,
  HandledEventType,
  SubscriberDefinition,
  SubscriberSettings,
} from './subscriber-definition';

/** Subscriber defaults when neither the module nor `@EventSubscriber` sets them. */
export const SUBSCRIPTION_DEFAULTS = {
  maxAttempts: 5,
  retryDelayMs: 100,
  maxRetryDelayMs: 5000,
  onFailure: 'park-and-continue',
  batchSize: 500,
  pollIntervalMs: 1000,
  leaseTtlMs: 5000,
} as const;

/**
 * Finds the subscribers once at bootstrap: every provider that is not an
 * `Aggregate` and has `@EventHandler` or `@EventBatchHandler` methods. Fails
 * fast, with a fix-it message, on duplicate names and misconfigured classes
 * (an event type taken both one at a time and in batches by one subscriber).
 */
@Injectable()
export class SubscriberExplorer {
  constructor(private readonly discovery: DiscoveryService) {}

  explore(defaults: SubscriptionOptions = {}): SubscriberDefinition[] {
    const byName = new Map<string, SubscriberDefinition>();
    const seen = new Set<object>();
    for (const wrapper of this.discovery.getProviders()) {
      const instance: unknown = wrapper.instance;
      if (!instance || typeof instance !== 'object' || seen.has(instance)) continue;
      const subscriberClass = instance.constructor as abstract new (...args: never[]) => object;
      if (typeof subscriberClass !== 'function' || subscriberClass.prototype instanceof Aggregate) {
        continue;
      }
      if (
        getEventHandlerBindings(subscriberClass).length === 0 &&
        getEventBatchHandlerBindings(subscriberClass).length === 0
      ) {
        continue;
      }
      if (!wrapper.isDependencyTreeStatic()) {
        throw new InvalidSubscriberError(
          subscriberClass.name,
          'it is request-scoped (or depends on a request-scoped provider), but subscribers run ' +
            'outside any request. Make it a singleton provider.',
        );
      }
      seen.add(instance);
      const definition = this.define(instance, subscriberClass, defaults);
      const existing = byName.get(definition.name);
      if (existing) {
        throw new DuplicateSubscriberNameError(
          definition.name,
          existing.className,
          definition.className,
        );
      }
      byName.set(definition.name, definition);
    }
    return [...byName.values()];
  }

  private define(
    instance: object,
    subscriberClass: { name: string },
    defaults: SubscriptionOptions,
  ): SubscriberDefinition {
    const options = getEventSubscriberOptions(subscriberClass) ?? {};
    const name = options.name ?? subscriberClass.name;
    if (!name || typeof name !== 'string') {
      throw new InvalidSubscriberError(
        subscriberClass.name || '(anonymous class)',
        'it has no name. Set @EventSubscriber({ name: "..." }).',
      );
    }
    const inline = options.inline ?? false;
    if (typeof inline !== 'boolean') {
      throw new InvalidSubscriberError(
        subscriberClass.name,
        `inline must be true or false, got ${String(inline)}.`,
      );
    }
    if (inline) checkInlineOptions(subscriberClass.name, options);
    const retryDelayMs =
      options.retryDelayMs ?? defaults.retryDelayMs ?? SUBSCRIPTION_DEFAULTS.retryDelayMs;
    const settings: SubscriberSettings = {
      maxAttempts: options.maxAttempts ?? defaults.maxAttempts ?? SUBSCRIPTION_DEFAULTS.maxAttempts,
      retryDelayMs,
      // Unset: the built-in cap, or the first delay when that is longer.
      maxRetryDelayMs:
        options.maxRetryDelayMs ??
        defaults.maxRetryDelayMs ??
        Math.max(SUBSCRIPTION_DEFAULTS.maxRetryDelayMs, retryDelayMs),
      isTransient: options.isTransient ?? defaults.isTransient,
      onFailure: options.onFailure ?? defaults.onFailure ?? SUBSCRIPTION_DEFAULTS.onFailure,
      batchSize: options.batchSize ?? defaults.batchSize ?? SUBSCRIPTION_DEFAULTS.batchSize,
      startFrom: options.startFrom ?? defaults.startFrom ?? 'beginning',
      pollIntervalMs: defaults.pollIntervalMs ?? SUBSCRIPTION_DEFAULTS.pollIntervalMs,
      leaseTtlMs: defaults.leaseTtlMs ?? SUBSCRIPTION_DEFAULTS.leaseTtlMs,
    };
    checkSettings(subscriberClass.name, settings);

    const handledTypes = new Map<string, MutableHandledType>();
    const perEventMethods = new Set<string | symbol>();
    for (const binding of getEventHandlerBindings(subscriberClass)) {
      const handler = bindMethod(
        instance,
        subscriberClass.name,
        binding.methodName,
        '@EventHandler',
      );
      perEventMethods.add(binding.methodName);
      for (const eventClass of binding.eventClasses) {
        const type = storedTypeOf(
          subscriberClass.name,
          '@EventHandler',
          binding.methodName,
          eventClass,
        );
        const entry = handledTypes.get(type) ?? newHandledType(eventClass);
        entry.handlers.push(handler as BoundEventHandler);
        entry.methods.push(binding.methodName);
        handledTypes.set(type, entry);
      }
    }
    const batchHandlers = new Map<string | symbol, BoundEventBatchHandler>();
    for (const binding of getEventBatchHandlerBindings(subscriberClass)) {
      const where = `"${String(binding.methodName)}"`;
      if (inline) {
        throw new InvalidSubscriberError(
          subscriberClass.name,
          `${where} has @EventBatchHandler, but the subscriber is inline: it receives the events ` +
            'of each append one at a time. Use @EventHandler, or drop `inline: true`.',
        );
      }
      if (perEventMethods.has(binding.methodName)) {
        throw new InvalidSubscriberError(
          subscriberClass.name,
          `${where} has both @EventHandler and @EventBatchHandler. A method receives either one ` +
            'event (event, envelope) or a batch ({ event, envelope }[]): keep one of the two decorators.',
        );
      }
      const handler =
        batchHandlers.get(binding.methodName) ??
        (bindMethod(
          instance,
          subscriberClass.name,
          binding.methodName,
          '@EventBatchHandler',
        ) as BoundEventBatchHandler);
      batchHandlers.set(binding.methodName, handler);
      for (const eventClass of binding.eventClasses) {
        const type = storedTypeOf(
          subscriberClass.name,
          '@EventBatchHandler',
          binding.methodName,
          eventClass,
        );
        const entry = handledTypes.get(type) ?? newHandledType(eventClass);
        if (entry.handlers.length > 0) {
          throw new InvalidSubscriberError(
            subscriberClass.name,
            `${eventClass.name} is handled both one at a time (@EventHandler on ` +
              `${entry.methods.map((m) => `"${String(m)}"`).join(', ')}) and in batches ` +
              `(@EventBatchHandler on ${where}). A subscriber takes an event type one way only: ` +
              `remove ${eventClass.name} from one of them, or move one method to another subscriber class.`,
          );
        }
        if (entry.batchHandlers.includes(handler)) continue;
        entry.batchHandlers.push(handler);
        entry.methods.push(binding.methodName);
        handledTypes.set(type, entry);
      }
    }
    const handled = new Map<string, HandledEventType>();
    for (const [type, entry] of handledTypes) {
      handled.set(type, {
        eventClass: entry.eventClass,
        handlers: entry.handlers,
        batchHandlers: entry.batchHandlers,
      });
    }
    return {
      name,
      className: subscriberClass.name,
      instance,
      handledTypes: handled,
      batchHandlers: [...batchHandlers.values()],
      settings,
      ...(inline ? { inline } : {}),
    };
  }
}

/** A handled type while the explorer collects it. */
interface MutableHandledType {
  readonly eventClass: EventClass;
  readonly handlers: BoundEventHandler[];
  readonly batchHandlers: BoundEventBatchHandler[];
  /** Names of the methods that take it, for error messages. */
  readonly methods: (string | symbol)[];
}

function newHandledType(eventClass: EventClass): MutableHandledType {
  return { eventClass, handlers: [], batchHandlers: [], methods: [] };
}

/** The decorated method bound to its instance; fails when the decorated member is not a method. */
function bindMethod(
  instance: object,
  className: string,
  methodName: string | symbol,
  decorator: string,
): (...args: never[]) => unknown {
  const method = (instance as Record<string | symbol, unknown>)[methodName];
  if (typeof method !== 'function') {
    throw new InvalidSubscriberError(
      className,
      `${decorator} is on "${String(methodName)}", which is not a method.`,
    );
  }
  return (method as (...args: unknown[]) => unknown).bind(instance);
}

/** The stored type name of a handled event class; fails when it has no `@EventType`. */
function storedTypeOf(
  className: string,
  decorator: string,
  methodName: string | symbol,
  eventClass: EventClass,
): string {
  const type = getEventTypeMetadata(eventClass);
  if (!type) {
    throw new InvalidSubscriberError(
      className,
      `${decorator}(${eventClass.name}) on "${String(methodName)}": ${eventClass.name} ` +
        `has no @EventType. Add @EventType('${eventClass.name}') to it (subscribers match ` +
        'stored events by that name, so list concrete event classes, not a base class).',
    );
  }
  return type.name;
}

/** Options an inline subscriber cannot honour: refused rather than ignored. */
const ASYNCHRONOUS_ONLY_OPTIONS = [
  'maxAttempts',
  'retryDelayMs',
  'maxRetryDelayMs',
  'isTransient',
  'onFailure',
  'startFrom',
] as const;

function checkInlineOptions(className: string, options: EventSubscriberOptions): void {
  const given = ASYNCHRONOUS_ONLY_OPTIONS.filter((key) => options[key] !== undefined);
  if (given.length === 0) return;
  throw new InvalidSubscriberError(
    className,
    `${given.join(', ')} ${given.length === 1 ? 'does' : 'do'} not apply to an inline subscriber: ` +
      'it has no checkpoint, and its error refuses the append instead of being retried or parked. ' +
      'Remove them, or drop `inline: true` to run it asynchronously.',
  );
}

function checkSettings(className: string, settings: SubscriberSettings): void {
  const positive: (keyof SubscriberSettings)[] = [
    'maxAttempts',
    'batchSize',
    'pollIntervalMs',
    'leaseTtlMs',
  ];
  for (const key of positive) {
    const value = settings[key];
    if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) {
      throw new InvalidSubscriberError(
        className,
        `${key} must be a positive integer, got ${String(value)}.`,
      );
    }
  }
  if (!(settings.retryDelayMs >= 0)) {
    throw new InvalidSubscriberError(
      className,
      `retryDelayMs must be 0 or more, got ${settings.retryDelayMs}.`,
    );
  }
  if (!(settings.maxRetryDelayMs >= settings.retryDelayMs && settings.maxRetryDelayMs > 0)) {
    throw new InvalidSubscriberError(
      className,
      `maxRetryDelayMs must be more than 0 and at least retryDelayMs (${settings.retryDelayMs}), ` +
        `got ${settings.maxRetryDelayMs}.`,
    );
  }
  if (settings.isTransient !== undefined && typeof settings.isTransient !== 'function') {
    throw new InvalidSubscriberError(
      className,
      'isTransient must be a function (error) => boolean | undefined, got ' +
        `${typeof settings.isTransient}.`,
    );
  }
  if (settings.onFailure !== 'park-and-continue' && settings.onFailure !== 'stop') {
    throw new InvalidSubscriberError(
      className,
      `onFailure must be 'park-and-continue' or 'stop', got ${String(settings.onFailure)}.`,
    );
  }
  const { startFrom } = settings;
  if (
    startFrom !== 'beginning' &&
    startFrom !== 'end' &&
    !(typeof startFrom === 'number' && Number.isInteger(startFrom) && startFrom >= 0)
  ) {
    throw new InvalidSubscriberError(
      className,
      `startFrom must be 'beginning', 'end' or a position >= 0, got ${String(startFrom)}.`,
    );
  }
}
