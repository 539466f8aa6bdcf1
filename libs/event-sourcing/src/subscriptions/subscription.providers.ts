import type { Provider } from '@nestjs/common';
import { DiscoveryService } from '@nestjs/core';
import { SubscriberExplorer } from './subscriber-explorer';
import { SubscriptionManager } from './subscription-manager';

/**
 * Providers the event-sourcing module adds for subscriptions (discovery of
 * `@EventHandler` subscribers, the processors that feed them). The module
 * spreads this list into its providers and exports.
 */
export const subscriptionProviders: Provider[] = [
  DiscoveryService,
  SubscriberExplorer,
  SubscriptionManager,
];
