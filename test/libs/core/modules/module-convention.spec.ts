import { CqrsModule, getCqrsOptionsToken } from '@cello/cqrs';
import {
  EventSourcingModule,
  getEventStorageToken,
  InjectEventStorage,
  type EventStorage,
} from '@cello/event-sourcing';
import {
  getSagaOptionsToken,
  getSagaStorageToken,
  InjectSagaStorage,
  SagaModule,
  type SagaStorage,
} from '@cello/saga';
import { Injectable, Module } from '@nestjs/common';
import { Test } from '@nestjs/testing';

@Injectable()
class StorageTools {
  constructor(
    @InjectEventStorage() readonly events: EventStorage,
    @InjectSagaStorage() readonly sagas: SagaStorage,
  ) {}
}

class SagaSettings {
  createSagaOptions() {
    return { maxRetries: 7 };
  }
}

@Module({ providers: [SagaSettings], exports: [SagaSettings] })
class SettingsModule {}

describe('the Cello modules', () => {
  describe('when an app imports all three facades', () => {
    it('should expose each storage under its get*Token() and @Inject*() decorator', async () => {
      // Given
      const moduleRef = await Test.createTestingModule({
        imports: [
          EventSourcingModule.forRoot(),
          CqrsModule.forRootAsync({ useFactory: () => ({ commandTimeout: 3 }) }),
          SagaModule.forRootAsync({ imports: [SettingsModule], useExisting: SagaSettings }),
        ],
        providers: [StorageTools],
      }).compile();
      const app = await moduleRef.createNestApplication({ logger: false }).init();
      // Then
      const tools = app.get(StorageTools);
      expect(tools.events).toBe(app.get(getEventStorageToken()));
      expect(tools.sagas).toBe(app.get(getSagaStorageToken()));
      expect(app.get(getSagaOptionsToken())).toMatchObject({ maxRetries: 7 });
      expect(app.get(getCqrsOptionsToken())).toEqual({ commandTimeout: 3 });
      await app.close();
    });

    it('should close both storages when the app shuts down', async () => {
      // Given
      const moduleRef = await Test.createTestingModule({
        imports: [EventSourcingModule.forRoot(), CqrsModule.forRoot(), SagaModule.forRoot()],
      }).compile();
      const app = await moduleRef.createNestApplication({ logger: false }).init();
      const events = jest.spyOn(app.get<EventStorage>(getEventStorageToken()), 'close');
      const sagas = jest.spyOn(app.get<SagaStorage>(getSagaStorageToken()), 'close');
      // When
      await app.close();
      // Then
      expect(events).toHaveBeenCalled();
      expect(sagas).toHaveBeenCalled();
    });
  });

  describe('when forRootAsync is given no way to make the options', () => {
    it.each([
      ['EventSourcingModule', () => EventSourcingModule.forRootAsync({})],
      ['CqrsModule', () => CqrsModule.forRootAsync({})],
      ['SagaModule', () => SagaModule.forRootAsync({})],
    ])('%s should say it needs useFactory, useClass or useExisting', (name, build) => {
      expect(build).toThrow(
        `${name}.forRootAsync() needs one of useFactory, useClass or useExisting.`,
      );
    });
  });
});
