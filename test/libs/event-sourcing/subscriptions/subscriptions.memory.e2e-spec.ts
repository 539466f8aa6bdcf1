import { MemoryEventStorage } from '@cello/event-sourcing/store/memory/memory-event-storage';
import { describeBatchSubscriptionScenarios } from './testing/batch-subscription-scenarios';
import { describeSubscriptionScenarios } from './testing/subscription-scenarios';

// Every app gets its own in-memory (Rust) store: nothing survives a restart there.
describeSubscriptionScenarios('the memory backend', {
  durable: false,
  options: () => ({ storage: new MemoryEventStorage() }),
});

describeBatchSubscriptionScenarios('the memory backend', {
  durable: false,
  options: () => ({ storage: new MemoryEventStorage() }),
});
