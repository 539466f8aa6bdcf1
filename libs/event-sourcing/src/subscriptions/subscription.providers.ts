import type { Provider } from '@nestjs/common';

/**
 * Providers the event-sourcing module adds for subscriptions (discovery of
 * `@EventHandler` subscribers, the processors that feed them). Filled in by
 * the subscriptions work; the module spreads this list into its providers.
 */
export const subscriptionProviders: Provider[] = [];
