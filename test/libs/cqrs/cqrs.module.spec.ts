import { Injectable, Module } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { CommandBus } from '@cello/cqrs/command-bus';
import { CqrsModule } from '@cello/cqrs/cqrs.module';
import type { CqrsModuleOptions } from '@cello/cqrs/cqrs-module-options';
import { CommandHandler } from '@cello/cqrs/decorators/command-handler.decorator';
import { InvalidCqrsOptionError } from '@cello/cqrs/errors/invalid-cqrs-option.error';
import { InvalidHandlerError } from '@cello/cqrs/errors/invalid-handler.error';
import { Command } from '@cello/cqrs/message/command';
import { QueryBus } from '@cello/cqrs/query-bus';
import { bootCqrsApp } from './testing/boot-cqrs-app';

class SlowCommand extends Command<string> {}

@CommandHandler(SlowCommand)
class SlowHandler {
  execute(): Promise<string> {
    return new Promise((resolve) => setTimeout(() => resolve('done'), 80));
  }
}

@Injectable()
class CqrsSettings {
  readonly commandTimeoutSeconds = 0.02;
}

@Module({ providers: [CqrsSettings], exports: [CqrsSettings] })
class SettingsModule {}

class SettingsFactory {
  createCqrsOptions(): CqrsModuleOptions {
    return { commandTimeout: 0.02 };
  }
}

describe('CqrsModule', () => {
  describe('when configured with forRootAsync', () => {
    it.each([
      [
        'useFactory',
        {
          imports: [SettingsModule],
          inject: [CqrsSettings],
          useFactory: (s: CqrsSettings) => ({ commandTimeout: s.commandTimeoutSeconds }),
        },
      ],
      ['useClass', { useClass: SettingsFactory }],
    ])('should apply the options from %s', async (_how, asyncOptions) => {
      // Given
      const moduleRef = await Test.createTestingModule({
        imports: [CqrsModule.forRootAsync(asyncOptions)],
        providers: [SlowHandler],
      }).compile();
      const app = await moduleRef.createNestApplication({ logger: false }).init();
      // When
      const dispatched = app.get(CommandBus).dispatch(new SlowCommand());
      // Then
      await expect(dispatched).rejects.toMatchObject({ code: 'command-timeout', timeoutMs: 20 });
      await app.close();
    });
  });

  describe('when used alone in a feature module', () => {
    it('should make both buses injectable anywhere and reachable with app.get', async () => {
      // Given
      @Injectable()
      class OrdersController {
        constructor(
          readonly commands: CommandBus,
          readonly queries: QueryBus,
        ) {}
      }
      @Module({ providers: [OrdersController, SlowHandler] })
      class OrdersModule {}
      // When
      const app = await bootCqrsApp({}, { imports: [OrdersModule] });
      // Then
      const controller = app.get(OrdersController);
      expect(controller.commands).toBe(app.get(CommandBus));
      expect(controller.queries).toBe(app.get(QueryBus));
      await expect(controller.commands.dispatch(new SlowCommand())).resolves.toBe('done');
      expect(app.get(CommandBus).messageTypes()).toEqual([SlowCommand]);
      await app.close();
    });
  });

  describe('when another module dispatches from its onApplicationBootstrap', () => {
    it('should find the handlers already', async () => {
      // Given
      class SeedCommand extends Command<string> {}
      @CommandHandler(SeedCommand)
      class SeedHandler {
        async execute(): Promise<string> {
          return 'seeded';
        }
      }
      @Injectable()
      class Seeder {
        result?: string;
        constructor(private readonly commands: CommandBus) {}
        async onApplicationBootstrap(): Promise<void> {
          this.result = await this.commands.dispatch(new SeedCommand());
        }
      }
      @Module({ providers: [Seeder, SeedHandler] })
      class SeedModule {}
      // When
      const app = await bootCqrsApp({}, { imports: [SeedModule] });
      // Then
      expect(app.get(Seeder).result).toBe('seeded');
      await app.close();
    });
  });

  describe('when a time limit option is not a number of seconds', () => {
    it('should fail start-up naming the option', async () => {
      // When
      const booting = bootCqrsApp({ commandTimeout: -1 }, { providers: [SlowHandler] });
      // Then
      await expect(booting).rejects.toBeInstanceOf(InvalidCqrsOptionError);
      await expect(booting).rejects.toThrow(/"commandTimeout": expected a number of seconds >= 0/);
    });
  });

  describe('when a decorated handler has no execute method', () => {
    it('should fail start-up naming the class', async () => {
      // Given
      @CommandHandler(SlowCommand)
      class NotAHandler {}
      // When
      const booting = bootCqrsApp({}, { providers: [NotAHandler] });
      // Then
      await expect(booting).rejects.toBeInstanceOf(InvalidHandlerError);
      await expect(booting).rejects.toThrow(/NotAHandler cannot be a handler/);
    });
  });
});
