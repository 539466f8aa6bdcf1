import {
  EventSourcingModule,
  getEventStorageToken,
  type EventStorage,
} from '@cello/event-sourcing';
import { getSagaStorageToken, SagaModule, SagaRunner, type SagaStorage } from '@cello/saga';
import { getDataSourceToken, TypeOrmModule } from '@nestjs/typeorm';
import { Test } from '@nestjs/testing';
import { shareDataSourceInitialize } from '@cello/core/internal';
import { connectToTestDatabase, usePostgresDatabase } from '../../../support/postgres-database';

describe("an app's one TypeORM DataSource", () => {
  const db = usePostgresDatabase();

  describe('when EventSourcingModule and SagaModule take it by token', () => {
    it("should run events and sagas on the app's pool, opening no other", async () => {
      // Given: the documented way, @nestjs/typeorm's DataSource handed over by getDataSourceToken()
      const moduleRef = await Test.createTestingModule({
        imports: [
          TypeOrmModule.forRoot({ type: 'postgres', url: db.url, applicationName: 'the-app' }),
          EventSourcingModule.forRootAsync({
            inject: [getDataSourceToken()],
            useFactory: (dataSource) => ({ storage: dataSource }),
          }),
          SagaModule.forRootAsync({
            inject: [getDataSourceToken()],
            useFactory: (dataSource) => ({ storage: dataSource }),
          }),
        ],
      }).compile();
      const app = await moduleRef.createNestApplication({ logger: false }).init();
      // When: both storages work
      await app.get<EventStorage>(getEventStorageToken()).ping();
      await app.get<SagaStorage>(getSagaStorageToken()).ping();
      expect(await app.get(SagaRunner).list()).toEqual([]);
      const client = await connectToTestDatabase(db.url);
      const { rows } = await client.query<{ application_name: string }>(
        `SELECT DISTINCT application_name FROM pg_stat_activity
         WHERE datname = current_database() AND pid <> pg_backend_pid()`,
      );
      await client.end();
      await app.close();
      // Then: every connection is the app's
      expect(rows.map((row) => row.application_name)).toEqual(['the-app']);
    });
  });
});

describe('shareDataSourceInitialize', () => {
  it('should make concurrent initialize() calls share one attempt, and resolve once initialized', async () => {
    // Given: a DataSource-shaped object counting its real initializations
    let opened = 0;
    const dataSource = {
      options: { type: 'postgres' },
      isInitialized: false,
      query: async () => [],
      initialize: async () => {
        opened += 1;
        await new Promise((resolve) => setImmediate(resolve));
        dataSource.isInitialized = true;
        return dataSource;
      },
    };
    shareDataSourceInitialize(dataSource);
    shareDataSourceInitialize(dataSource); // twice is harmless
    // When
    await Promise.all([dataSource.initialize(), dataSource.initialize(), dataSource.initialize()]);
    await dataSource.initialize();
    // Then
    expect(opened).toBe(1);
  });
});
