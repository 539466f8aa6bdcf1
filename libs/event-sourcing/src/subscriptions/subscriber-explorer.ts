import { Injectable } from '@nestjs/common';
import { DiscoveryService } from '@nestjs/core';
import { Aggregate } from '../aggregate/aggregate';
import { getEventHandlerBindings } from '../decorators/event-handler.decorator';
import { getEventSubscriberOptions } from '../decorators/event-subscriber.decorator';
import { getEventTypeMetadata } from '../decorators/event-type.decorator';
import { DuplicateSubscriberNameError } from '../errors/duplicate-subscriber-name.error';
import { InvalidSubscriberError } from '../errors/invalid-subscriber.error';
import type { SubscriptionOptions } from '../event-sourcing-module-options';
import type { EventClass } from '../event/event';
import type {
  BoundEventHandler,
  HandledEventType,
  SubscriberDefinition,
  SubscriberSettings,
} from './subscriber-definition';

/** Subscriber defaults when neither the module nor `@EventSubscriber` sets them. */
export const SUBSCRIPTION_DEFAULTS = {
  maxAttempts: 5,
  retryDelayMs: 100,
  onFailure: 'park-and-continue',
  batchSize: 500,
  pollIntervalMs: 1000,
  leaseTtlMs: 5000,
} as const;

/**
 * Finds the subscribers once at bootstrap: every provider that is not an
 * `Aggregate` and has `@EventHandler` methods. Fails fast, with a fix-it
 * message, on duplicate names and misconfigured classes.
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
      const bindings = getEventHandlerBindings(subscriberClass);
      if (bindings.length === 0) continue;
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
    const settings: SubscriberSettings = {
      maxAttempts: options.maxAttempts ?? defaults.maxAttempts ?? SUBSCRIPTION_DEFAULTS.maxAttempts,
      retryDelayMs:
        options.retryDelayMs ?? defaults.retryDelayMs ?? SUBSCRIPTION_DEFAULTS.retryDelayMs,
      onFailure: options.onFailure ?? defaults.onFailure ?? SUBSCRIPTION_DEFAULTS.onFailure,
      batchSize: options.batchSize ?? defaults.batchSize ?? SUBSCRIPTION_DEFAULTS.batchSize,
      startFrom: options.startFrom ?? 'beginning',
      pollIntervalMs: defaults.pollIntervalMs ?? SUBSCRIPTION_DEFAULTS.pollIntervalMs,
      leaseTtlMs: defaults.leaseTtlMs ?? SUBSCRIPTION_DEFAULTS.leaseTtlMs,
    };
    checkSettings(subscriberClass.name, settings);

    const handlers = new Map<string, { eventClass: EventClass; handlers: BoundEventHandler[] }>();
    for (const binding of getEventHandlerBindings(subscriberClass)) {
      const method = (instance as Record<string | symbol, unknown>)[binding.methodName];
      if (typeof method !== 'function') {
        throw new InvalidSubscriberError(
          subscriberClass.name,
          `@EventHandler is on "${String(binding.methodName)}", which is not a method.`,
        );
      }
      for (const eventClass of binding.eventClasses) {
        const type = getEventTypeMetadata(eventClass);
        if (!type) {
          throw new InvalidSubscriberError(
            subscriberClass.name,
            `@EventHandler(${eventClass.name}) on "${String(binding.methodName)}": ${eventClass.name} ` +
              `has no @EventType. Add @EventType('${eventClass.name}') to it (subscribers match ` +
              'stored events by that name, so list concrete event classes, not a base class).',
          );
        }
        const entry = handlers.get(type.name) ?? { eventClass, handlers: [] };
        entry.handlers.push(
          (method as (...args: unknown[]) => unknown).bind(instance) as BoundEventHandler,
        );
        handlers.set(type.name, entry);
      }
    }
    return {
      name,
      className: subscriberClass.name,
      instance,
      handledTypes: handlers as ReadonlyMap<string, HandledEventType>,
      settings,
    };
  }
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
