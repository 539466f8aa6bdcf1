import { MemoryEventStorage } from '@cello/event-sourcing';
import { describeConcurrencyScenario } from './shared/concurrency-scenario';

// The concurrency scenario on the in-memory (Rust) backend, a fresh store per case.
describe('the in-memory event store under concurrent writers', () => {
  describeConcurrencyScenario('memory', {
    appends: 20_000,
    resendAppends: 5_000,
    timeoutMs: 120_000,
    options: () => ({ storage: new MemoryEventStorage() }),
  });
});
