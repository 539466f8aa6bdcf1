import { usePostgresDatabase } from '../../../../../test/support/postgres-database';
import { describeEventStorageContract } from '../../testing/event-storage-contract';
import { PostgresEventStorage } from './postgres-event-storage';

describe('PostgresEventStorage', () => {
  const db = usePostgresDatabase();

  describeEventStorageContract('PostgresEventStorage', async () =>
    PostgresEventStorage.fromUrl(db.url, { poolSize: 4 }),
  );
});
