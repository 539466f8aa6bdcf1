import { Inject, Injectable, Scope } from '@nestjs/common';
import { REQUEST } from '@nestjs/core';
import { CommandBus } from '@cello/cqrs/command-bus';
import { CommandHandler } from '@cello/cqrs/decorators/command-handler.decorator';
import { QueryHandler } from '@cello/cqrs/decorators/query-handler.decorator';
import { Command } from '@cello/cqrs/message/command';
import { Query } from '@cello/cqrs/message/query';
import { QueryBus } from '@cello/cqrs/query-bus';
import { bootCqrsApp } from './testing/boot-cqrs-app';

class RenameHeroCommand extends Command<string> {
  constructor(readonly name: string) {
    super();
  }
}

class HeroNameQuery extends Query<string> {}

@CommandHandler(RenameHeroCommand)
class RenameHeroHandler {
  constructor(private readonly prefix: string) {}
  async execute(command: RenameHeroCommand): Promise<string> {
    return `${this.prefix}${command.name}`;
  }
}

@QueryHandler(HeroNameQuery)
class HeroNameHandler {
  constructor(private readonly name: string) {}
  async execute(): Promise<string> {
    return this.name;
  }
}

@Injectable()
class Prefix {
  readonly value = 'Sir ';
}

describe('Handlers registered through other provider shapes', () => {
  describe('when a command handler is provided by useFactory', () => {
    it('should be discovered and run on dispatch', async () => {
      // Given
      const app = await bootCqrsApp(
        {},
        {
          providers: [
            Prefix,
            {
              provide: RenameHeroHandler,
              useFactory: (prefix: Prefix) => new RenameHeroHandler(prefix.value),
              inject: [Prefix],
            },
          ],
        },
      );
      // When
      const result = await app.get(CommandBus).dispatch(new RenameHeroCommand('Lancelot'));
      // Then
      expect(result).toBe('Sir Lancelot');
      await app.close();
    });
  });

  describe('when a query handler is provided by useValue under a string token', () => {
    it('should be discovered and run on dispatch', async () => {
      // Given
      const app = await bootCqrsApp(
        {},
        { providers: [{ provide: 'HERO_NAME_HANDLER', useValue: new HeroNameHandler('Arthur') }] },
      );
      // When
      const result = await app.get(QueryBus).dispatch(new HeroNameQuery());
      // Then
      expect(result).toBe('Arthur');
      await app.close();
    });
  });

  describe('when a handler is provided by useClass under another token', () => {
    it('should be discovered and run on dispatch', async () => {
      // Given
      @CommandHandler(RenameHeroCommand)
      class PlainRenameHandler {
        async execute(command: RenameHeroCommand): Promise<string> {
          return command.name.toUpperCase();
        }
      }
      const app = await bootCqrsApp(
        {},
        { providers: [{ provide: 'RENAME', useClass: PlainRenameHandler }] },
      );
      // When
      const result = await app.get(CommandBus).dispatch(new RenameHeroCommand('Gawain'));
      // Then
      expect(result).toBe('GAWAIN');
      await app.close();
    });

    it('should resolve it per request by its token when it is request-scoped', async () => {
      // Given
      class WhoAmICommand extends Command<string> {}
      @CommandHandler(WhoAmICommand, { scope: Scope.REQUEST })
      class WhoAmIHandler {
        constructor(@Inject(REQUEST) private readonly request: { user: string }) {}
        async execute(): Promise<string> {
          return this.request.user;
        }
      }
      const app = await bootCqrsApp(
        {},
        { providers: [{ provide: 'WHO', useClass: WhoAmIHandler }] },
      );
      const bus = app.get(CommandBus);
      // When
      const alice = await bus.dispatch(new WhoAmICommand(), { request: { user: 'alice' } });
      const bob = await bus.dispatch(new WhoAmICommand(), { request: { user: 'bob' } });
      // Then
      expect([alice, bob]).toEqual(['alice', 'bob']);
      await app.close();
    });
  });

  describe('when the handler decorator asks for a scope', () => {
    it('should make a request-scoped handler once per request, even with no REQUEST dependency', async () => {
      // Given
      class StampCommand extends Command<number> {}
      let created = 0;
      @CommandHandler(StampCommand, { scope: Scope.REQUEST })
      class StampHandler {
        private readonly serial = ++created;
        async execute(): Promise<number> {
          return this.serial;
        }
      }
      const app = await bootCqrsApp({}, { providers: [StampHandler] });
      const bus = app.get(CommandBus);
      const alice = { user: 'alice' };
      const createdBefore = created;
      // When
      const first = await bus.dispatch(new StampCommand(), { request: alice });
      const again = await bus.dispatch(new StampCommand(), { request: alice });
      const second = await bus.dispatch(new StampCommand(), { request: { user: 'bob' } });
      // Then: a singleton would answer its one serial three times, creating none here
      expect(created - createdBefore).toBe(2);
      expect(first).toBe(again);
      expect(second).not.toBe(first);
      await app.close();
    });

    it('should make a fresh transient handler for every dispatch', async () => {
      // Given
      class CountCommand extends Command<number> {}
      @CommandHandler(CountCommand, { scope: Scope.TRANSIENT })
      class CountHandler {
        private calls = 0;
        async execute(): Promise<number> {
          this.calls += 1;
          return this.calls;
        }
      }
      const app = await bootCqrsApp({}, { providers: [CountHandler] });
      const bus = app.get(CommandBus);
      // When
      const counts = [
        await bus.dispatch(new CountCommand()),
        await bus.dispatch(new CountCommand()),
        await bus.dispatch(new CountCommand()),
      ];
      // Then: a singleton would have counted 1, 2, 3
      expect(counts).toEqual([1, 1, 1]);
      await app.close();
    });
  });
});
