import { Test, type TestingModule } from '@nestjs/testing';
import { firstValueFrom, take } from 'rxjs';
import { CommandBus, UnhandledExceptionBus } from '@cello/cqrs/compat';
import {
  FailingCommand,
  FailureRequestedEvent,
  LibraryAppModule,
} from './__fixtures__/library-app.fixture';

describe('@cello/cqrs/compat: unhandled exceptions', () => {
  let app: TestingModule;
  let commandBus: CommandBus;
  let unhandled: UnhandledExceptionBus;

  beforeAll(async () => {
    app = await Test.createTestingModule({ imports: [LibraryAppModule] }).compile();
    await app.init();
    commandBus = app.get(CommandBus);
    unhandled = app.get(UnhandledExceptionBus);
  });
  afterAll(() => app.close());

  describe('when a command handler throws', () => {
    it("should reject the caller's promise with that error", async () => {
      await expect(commandBus.execute(new FailingCommand('command'))).rejects.toEqual(
        new Error('failed in the command handler'),
      );
    });
  });

  describe('when an event handler throws', () => {
    it('should report the error and the event to UnhandledExceptionBus', async () => {
      const reported = firstValueFrom(unhandled.pipe(take(1)));
      await commandBus.execute(new FailingCommand('event'));
      const info = await reported;
      expect(info.exception).toEqual(new Error('failed in the event handler'));
      expect(info.cause).toBeInstanceOf(FailureRequestedEvent);
    });
  });

  describe('when a saga throws', () => {
    it("should report the error and the saga's property name to UnhandledExceptionBus", async () => {
      const reported = firstValueFrom(unhandled.pipe(take(1)));
      await commandBus.execute(new FailingCommand('saga'));
      const info = await reported;
      expect(info.exception).toEqual(new Error('failed in the saga'));
      expect(info.cause).toBe('failOnRequest');
    });
  });
});
