import { Scope } from '@nestjs/common';
import { isCelloError } from '@cello/core';
import { InvalidCqrsDecoratorError } from '@cello/cqrs/errors/invalid-cqrs-decorator.error';
import { Command } from '@cello/cqrs/message/command';
import { Query } from '@cello/cqrs/message/query';
import { CommandHandler } from '@cello/cqrs/decorators/command-handler.decorator';
import { QueryHandler } from '@cello/cqrs/decorators/query-handler.decorator';
import { UseBusMiddleware } from '@cello/cqrs/decorators/use-bus-middleware.decorator';

class ShipOrderCommand extends Command<void> {}
class OrderQuery extends Query<string> {}

/** What `declare` threw, or a failure when it threw nothing. */
function thrownBy(declare: () => unknown): unknown {
  try {
    declare();
  } catch (error) {
    return error;
  }
  throw new Error('expected the declaration to throw, but it did not');
}

function expectDecoratorError(error: unknown, ...fragments: string[]): void {
  expect(isCelloError(error, InvalidCqrsDecoratorError.code)).toBe(true);
  for (const fragment of fragments) expect((error as Error).message).toContain(fragment);
}

describe('@CommandHandler and @QueryHandler used in ways Cello would not honour', () => {
  describe('when an option Cello does not know is given', () => {
    it('should fail when the class is declared, naming the option and the known ones', () => {
      const error = thrownBy(() => {
        @CommandHandler(ShipOrderCommand, { retries: 3 } as never)
        class ShipOrderHandler {
          async execute(): Promise<void> {}
        }
        return ShipOrderHandler;
      });
      expectDecoratorError(error, '@CommandHandler', '"retries"', 'timeout, middleware, validate');
    });
  });

  describe.each<[string, object, string]>([
    ['an unknown scope', { scope: 7 }, 'Scope.REQUEST'],
    ['a negative timeout', { timeout: -1 }, 'seconds >= 0'],
    ['middleware that is not a list', { middleware: () => undefined }, 'a list'],
    ['validate that is not a boolean', { validate: 'yes' }, 'true or false'],
    ['durable that is not a boolean', { durable: 1 }, 'true or false'],
  ])('when %s is given', (_label, options, fix) => {
    it('should fail with a fix-it message', () => {
      const error = thrownBy(() => QueryHandler(OrderQuery, options as never));
      expectDecoratorError(error, '@QueryHandler', fix);
    });
  });

  describe('when the options are not an object', () => {
    it('should fail naming the call to write', () => {
      const error = thrownBy(() => CommandHandler(ShipOrderCommand, 30 as never));
      expectDecoratorError(error, 'not an object', '@CommandHandler(ShipOrderCommand, { ... })');
    });
  });

  describe('when the message is not a class', () => {
    it('should fail naming what was given', () => {
      const error = thrownBy(() => CommandHandler('ShipOrder' as never));
      expectDecoratorError(error, 'ShipOrder', 'not a class');
    });
  });

  describe('when the decorator is put on a method', () => {
    it('should fail naming the member and saying to decorate the class', () => {
      const error = thrownBy(() => {
        class ShipOrderHandler {
          @(CommandHandler(ShipOrderCommand) as unknown as MethodDecorator)
          async execute(): Promise<void> {}
        }
        return ShipOrderHandler;
      });
      expectDecoratorError(error, 'ShipOrderHandler.execute', 'on the handler class');
    });
  });

  describe('when a known scope is given', () => {
    it('should record it on the class as @Injectable({ scope }) would', () => {
      @QueryHandler(OrderQuery, { scope: Scope.REQUEST })
      class OrderHandler {
        async execute(): Promise<string> {
          return 'o-1';
        }
      }
      expect(Reflect.getMetadata('scope:options', OrderHandler)).toMatchObject({
        scope: Scope.REQUEST,
      });
    });
  });
});

describe('@UseBusMiddleware used on a member', () => {
  it('should fail saying to put it on the message or handler class', () => {
    const error = thrownBy(() => {
      class ShipOrderHandler {
        @(UseBusMiddleware(async (_m, _c, next) => next()) as unknown as MethodDecorator)
        async execute(): Promise<void> {}
      }
      return ShipOrderHandler;
    });
    expectDecoratorError(error, '@UseBusMiddleware', 'ShipOrderHandler.execute', 'handler class');
  });
});
