import { MysqlEventStorage } from '@cello/event-sourcing/store/mysql/mysql-event-storage';
import { describeEventStorageContract } from '@cello/event-sourcing/testing/event-storage-contract';
import { useMysqlDatabase } from '../support/mysql-database';

describe('on a fresh MySQL/MariaDB database', () => {
  const db = useMysqlDatabase();

  // Every case opens its own storage on the file's database (tables migrated once,
  // then found in place), as instances of an application do.
  describeEventStorageContract('MysqlEventStorage', async () =>
    MysqlEventStorage.fromUrl(db.url, { poolSize: 4 }),
  );
});
