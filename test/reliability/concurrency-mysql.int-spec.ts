import { MysqlEventStorage } from '@cello/event-sourcing';
import { useMysqlDatabase } from '../support/mysql-database';
import { describeConcurrencyScenario } from './shared/concurrency-scenario';

// The concurrency scenario on MySQL/MariaDB, on this file's own fresh database.
describe('the MySQL/MariaDB event store under concurrent writers', () => {
  const db = useMysqlDatabase();

  describeConcurrencyScenario('MariaDB', {
    appends: 20_000,
    resendAppends: 2_000,
    timeoutMs: 240_000,
    options: () => ({ storage: MysqlEventStorage.fromUrl(db.url, { poolSize: 8 }) }),
  });
});
