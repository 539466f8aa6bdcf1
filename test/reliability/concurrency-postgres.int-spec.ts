import { PostgresEventStorage } from '@cello/event-sourcing';
import { usePostgresDatabase } from '../support/postgres-database';
import { describeConcurrencyScenario } from './shared/concurrency-scenario';

// The concurrency scenario on PostgreSQL, on this file's own fresh database.
describe('the PostgreSQL event store under concurrent writers', () => {
  const db = usePostgresDatabase();

  describeConcurrencyScenario('PostgreSQL', {
    appends: 20_000,
    resendAppends: 2_000,
    timeoutMs: 180_000,
    options: () => ({ storage: PostgresEventStorage.fromUrl(db.url, { poolSize: 8 }) }),
  });
});
