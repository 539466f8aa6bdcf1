import 'reflect-metadata';
import { Controller, Get, Injectable, Module } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { EventType } from '@cello/event-sourcing/decorators/event-type.decorator';
import { InjectEventStorage } from '@cello/event-sourcing/decorators/inject-event-storage.decorator';
import type { EventStorage } from '@cello/event-sourcing/store/event-storage';
import { InvalidStorageOptionError } from '@cello/event-sourcing/errors/invalid-storage-option.error';
import { InvalidUpcasterConfigurationError } from '@cello/event-sourcing/errors/invalid-upcaster-configuration.error';
import { EVENT_STORAGE } from '@cello/event-sourcing/event-sourcing.constants';
import type { EventSourcingModuleOptions } from '@cello/event-sourcing/event-sourcing-module-options';
import { EventSourcingModule } from '@cello/event-sourcing/event-sourcing.module';
import { Event } from '@cello/event-sourcing/event/event';
import { EventRegistry } from '@cello/event-sourcing/event/event-registry';
import { EventStore } from '@cello/event-sourcing/store/event-store';
import { MemoryEventStorage } from '@cello/event-sourcing/store/memory/memory-event-storage';
import { resolveEventStorage } from '@cello/event-sourcing/store/resolve-event-storage';
import { Order, OrderCreated } from './__fixtures__/order.fixture';

@EventType('InvoiceSent', { schemaVersion: 2 })
class InvoiceSent extends Event {
  amount = 0;
}

@Controller('orders')
class OrdersController {
  constructor(readonly store: EventStore) {}
  @Get()
  list() {
    return [];
  }
}

@Module({
  imports: [
    EventSourcingModule.forFeature({
      aggregates: [Order],
      events: [InvoiceSent],
      upcasters: [{ type: InvoiceSent, fromVersion: 1, upcast: (d: object) => d }],
    }),
  ],
  controllers: [OrdersController],
})
class OrdersModule {}

@Injectable()
class StorageInspector {
  constructor(@InjectEventStorage() readonly storage: EventStorage) {}
}

@Injectable()
class OptionsFactory {
  createEventSourcingOptions(): EventSourcingModuleOptions {
    return { storage: new MemoryEventStorage(), snapshotInterval: 7 };
  }
}

@Module({ providers: [OptionsFactory], exports: [OptionsFactory] })
class ConfigModule {}

describe('EventSourcingModule', () => {
  describe('when booted with forRoot and a feature module', () => {
    it('should make EventStore injectable and reachable with app.get', async () => {
      // Given
      const storage = new MemoryEventStorage();
      const init = jest.spyOn(storage, 'init');
      const close = jest.spyOn(storage, 'close');
      const moduleRef = await Test.createTestingModule({
        imports: [EventSourcingModule.forRoot({ storage }), OrdersModule],
        providers: [StorageInspector],
      }).compile();
      // When
      await moduleRef.init();
      // Then
      const store = moduleRef.get(EventStore);
      expect(moduleRef.get(OrdersController).store).toBe(store);
      expect(moduleRef.get(EVENT_STORAGE)).toBe(storage);
      expect(moduleRef.get(StorageInspector).storage).toBe(storage);
      expect(init).toHaveBeenCalledTimes(1);
      const registry = moduleRef.get(EventRegistry);
      expect(registry.findByName('OrderCreated')?.eventClass).toBe(OrderCreated);
      expect(registry.findByName('InvoiceSent')?.eventClass).toBe(InvoiceSent);
      expect(registry.isValidated).toBe(true);
      await store.append(new OrderCreated('o-1', 'c-1', []));
      expect((await store.load(Order, 'o-1')).status).toBe('created');
      // And the storage is closed with the app
      await moduleRef.close();
      expect(close).toHaveBeenCalledTimes(1);
    });
  });

  describe('when booted with forRootAsync', () => {
    it('should build options with useFactory and injected providers', async () => {
      const moduleRef = await Test.createTestingModule({
        imports: [
          EventSourcingModule.forRootAsync({
            imports: [ConfigModule],
            inject: [OptionsFactory],
            useFactory: (factory: OptionsFactory) => factory.createEventSourcingOptions(),
          }),
        ],
      }).compile();
      await moduleRef.init();
      expect(moduleRef.get(EVENT_STORAGE)).toBeInstanceOf(MemoryEventStorage);
      await moduleRef.close();
    });

    it('should build options with useClass', async () => {
      const moduleRef = await Test.createTestingModule({
        imports: [EventSourcingModule.forRootAsync({ useClass: OptionsFactory })],
      }).compile();
      await moduleRef.init();
      expect(moduleRef.get(EventStore)).toBeInstanceOf(EventStore);
      await moduleRef.close();
    });

    it('should build options with useExisting', async () => {
      const moduleRef = await Test.createTestingModule({
        imports: [
          EventSourcingModule.forRootAsync({
            imports: [ConfigModule],
            useExisting: OptionsFactory,
          }),
        ],
      }).compile();
      await moduleRef.init();
      expect(moduleRef.get(EVENT_STORAGE)).toBeInstanceOf(MemoryEventStorage);
      await moduleRef.close();
    });
  });

  describe('when the upcasters have a gap', () => {
    it('should fail at start-up with a fix-it message', async () => {
      @EventType('Gappy', { schemaVersion: 3 })
      class Gappy extends Event {}
      const moduleRef = await Test.createTestingModule({
        imports: [
          EventSourcingModule.forRoot({
            storage: new MemoryEventStorage(),
            upcasters: [{ type: Gappy, fromVersion: 1, upcast: (d: object) => d }],
          }),
        ],
      }).compile();
      const error = await moduleRef.init().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(InvalidUpcasterConfigurationError);
      expect((error as Error).message).toMatch(/"Gappy".*no upcaster from version 2 to 3/);
    });

    it('should accept a chain that is complete from its lowest version', async () => {
      const moduleRef = await Test.createTestingModule({
        imports: [EventSourcingModule.forRoot({ storage: new MemoryEventStorage() }), OrdersModule],
      }).compile();
      await expect(moduleRef.init()).resolves.toBeDefined();
      await moduleRef.close();
    });
  });

  describe('when the storage option is memory or left out', () => {
    it.each([['memory'], [undefined]])(
      'should use the native MemoryEventStorage for %s',
      async (option) => {
        const moduleRef = await Test.createTestingModule({
          imports: [EventSourcingModule.forRoot({ storage: option })],
        }).compile();
        await moduleRef.init();
        expect(moduleRef.get(EVENT_STORAGE)).toBeInstanceOf(MemoryEventStorage);
        await moduleRef.close();
      },
    );
  });

  describe('when the storage option is not usable', () => {
    it.each([
      ['an unknown URL scheme', 'redis://localhost:6379', /scheme "redis:"/],
      ['an unparsable string', 'not a url', /"not a url" is neither 'memory' nor a URL/],
      ['an object without EventStorage methods', { foo: 1 }, /without EventStorage methods/],
      ['a number', 42, /a number/],
      [
        'a DataSource of an unsupported type',
        { query: () => 1, initialize: () => 1, options: { type: 'sqlite' } },
        /type "sqlite"/,
      ],
    ])('should throw InvalidStorageOptionError for %s', (_, storage, message) => {
      const run = () => resolveEventStorage({ storage: storage as never });
      expect(run).toThrow(InvalidStorageOptionError);
      expect(run).toThrow(message);
      expect(run).toThrow(/option "storage"/);
    });

    it('should not echo a password from a URL', () => {
      expect(() => resolveEventStorage({ storage: 'mongodb://user:secret@host/db' })).toThrow(
        /mongodb:\/\/\*\*\*@host/,
      );
    });

    it('should fail the application start-up', async () => {
      const error = await Test.createTestingModule({
        imports: [EventSourcingModule.forRoot({ storage: 'ftp://x' })],
      })
        .compile()
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(InvalidStorageOptionError);
    });
  });
});
