import { PostgresEventStorage } from '@cello/event-sourcing/store/postgres/postgres-event-storage';
import { describeEventStorageContract } from '@cello/event-sourcing/testing/event-storage-contract';
import { usePostgresDatabase } from '../support/postgres-database';

describe('on a fresh PostgreSQL database', () => {
  const db = usePostgresDatabase();

  // Every case opens its own storage on the file's database (tables migrated once,
  // then found in place), as instances of an application do.
  describeEventStorageContract('PostgresEventStorage', async () =>
    PostgresEventStorage.fromUrl(db.url, { poolSize: 4 }),
  );
});
