import { Injectable } from '@nestjs/common';
import { CommandBus } from '@cello/cqrs/command-bus';
import type { DispatchContext } from '@cello/cqrs/bus/dispatch-context';
import { CommandHandler } from '@cello/cqrs/decorators/command-handler.decorator';
import { QueryHandler } from '@cello/cqrs/decorators/query-handler.decorator';
import { UseBusMiddleware } from '@cello/cqrs/decorators/use-bus-middleware.decorator';
import { Command } from '@cello/cqrs/message/command';
import { Query } from '@cello/cqrs/message/query';
import { QueryBus } from '@cello/cqrs/query-bus';
import { bootCqrsApp } from '../testing/boot-cqrs-app';
import type { BusMiddleware, BusMiddlewareFn, NextFn } from '@cello/cqrs/middleware/bus-middleware';

/** Example: a logging middleware as an injectable class (it could inject a Logger). */
@Injectable()
class LoggingMiddleware implements BusMiddleware {
  readonly lines: string[] = [];
  async handle(message: object, context: DispatchContext, next: NextFn): Promise<unknown> {
    this.lines.push(`-> ${context.kind} ${context.messageType.name}`);
    try {
      const result = await next();
      this.lines.push(`<- ${context.messageType.name} ok`);
      return result;
    } catch (error) {
      this.lines.push(`<- ${context.messageType.name} failed: ${(error as Error).message}`);
      throw error;
    }
  }
}

/** Example: retry a transient failure up to `attempts` times. */
function retry(attempts: number, isTransient: (error: unknown) => boolean): BusMiddlewareFn {
  return async (_message, _context, next) => {
    for (let attempt = 1; ; attempt += 1) {
      try {
        return await next();
      } catch (error) {
        if (attempt >= attempts || !isTransient(error)) throw error;
      }
    }
  };
}

function tracer(trace: string[], name: string): BusMiddlewareFn {
  return async (_message, _context, next) => {
    trace.push(`${name} in`);
    const result = await next();
    trace.push(`${name} out`);
    return result;
  };
}

class TransientError extends Error {}

class ChargeCardCommand extends Command<string> {
  constructor(readonly amount: number) {
    super();
  }
}

describe('bus middleware', () => {
  describe('when global, per-message-class, per-handler and module per-message middleware are set', () => {
    it('should run them in that order around the handler', async () => {
      // Given
      const trace: string[] = [];
      @UseBusMiddleware(tracer(trace, 'message-class'))
      class PingCommand extends Command<string> {}
      @CommandHandler(PingCommand, { middleware: [tracer(trace, 'handler-option')] })
      @UseBusMiddleware(tracer(trace, 'handler-class'))
      class PingHandler {
        async execute(): Promise<string> {
          trace.push('handler');
          return 'pong';
        }
      }
      const app = await bootCqrsApp(
        {
          middleware: [tracer(trace, 'global')],
          commandMiddleware: [tracer(trace, 'commands')],
          queryMiddleware: [tracer(trace, 'queries-only')],
          messages: [{ message: PingCommand, middleware: [tracer(trace, 'module-message')] }],
        },
        { providers: [PingHandler] },
      );
      // When
      const result = await app.get(CommandBus).dispatch(new PingCommand());
      // Then
      expect(result).toBe('pong');
      expect(trace).toEqual([
        'global in',
        'commands in',
        'message-class in',
        'handler-class in',
        'handler-option in',
        'module-message in',
        'handler',
        'module-message out',
        'handler-option out',
        'handler-class out',
        'message-class out',
        'commands out',
        'global out',
      ]);
      await app.close();
    });
  });

  describe('when a middleware returns without calling next', () => {
    it('should short-circuit: the handler does not run and its value is the result', async () => {
      // Given
      class GetPriceQuery extends Query<number> {}
      let handlerRuns = 0;
      @QueryHandler(GetPriceQuery)
      class GetPriceHandler {
        async execute(): Promise<number> {
          handlerRuns += 1;
          return 10;
        }
      }
      const cache: BusMiddlewareFn = async () => 7;
      const app = await bootCqrsApp({ queryMiddleware: [cache] }, { providers: [GetPriceHandler] });
      // When
      const price = await app.get(QueryBus).dispatch(new GetPriceQuery());
      // Then
      expect(price).toBe(7);
      expect(handlerRuns).toBe(0);
      await app.close();
    });
  });

  describe('when a middleware transforms the message and the result', () => {
    it('should hand the new message down and return the transformed result', async () => {
      // Given
      @CommandHandler(ChargeCardCommand)
      class ChargeHandler {
        async execute(command: ChargeCardCommand): Promise<string> {
          return `charged ${command.amount}`;
        }
      }
      const doubleIt: BusMiddlewareFn = async (message, _context, next) => {
        const result = await next(new ChargeCardCommand((message as ChargeCardCommand).amount * 2));
        return `${String(result)}!`;
      };
      const app = await bootCqrsApp({ middleware: [doubleIt] }, { providers: [ChargeHandler] });
      // When
      const result = await app.get(CommandBus).dispatch(new ChargeCardCommand(21));
      // Then
      expect(result).toBe('charged 42!');
      await app.close();
    });
  });

  describe('when an injectable logging middleware and a retry middleware wrap a flaky handler', () => {
    it('should retry transient failures and log one dispatch', async () => {
      // Given
      let attempts = 0;
      @CommandHandler(ChargeCardCommand, {
        middleware: [retry(3, (error) => error instanceof TransientError)],
      })
      class FlakyChargeHandler {
        async execute(): Promise<string> {
          attempts += 1;
          if (attempts < 3) throw new TransientError(`attempt ${attempts} failed`);
          return 'charged';
        }
      }
      const app = await bootCqrsApp(
        { middleware: [LoggingMiddleware] },
        { providers: [LoggingMiddleware, FlakyChargeHandler] },
      );
      // When
      const result = await app.get(CommandBus).dispatch(new ChargeCardCommand(5));
      // Then
      expect(result).toBe('charged');
      expect(attempts).toBe(3);
      expect(app.get(LoggingMiddleware).lines).toEqual([
        '-> command ChargeCardCommand',
        '<- ChargeCardCommand ok',
      ]);
      await app.close();
    });

    it('should give up after the last attempt and let logging see the failure', async () => {
      // Given
      @CommandHandler(ChargeCardCommand, { middleware: [retry(2, () => true)] })
      class AlwaysFailingHandler {
        async execute(): Promise<string> {
          throw new TransientError('card network down');
        }
      }
      const app = await bootCqrsApp(
        { middleware: [LoggingMiddleware] },
        { providers: [LoggingMiddleware, AlwaysFailingHandler] },
      );
      // When
      const dispatched = app.get(CommandBus).dispatch(new ChargeCardCommand(5));
      // Then
      await expect(dispatched).rejects.toThrow('card network down');
      expect(app.get(LoggingMiddleware).lines).toEqual([
        '-> command ChargeCardCommand',
        '<- ChargeCardCommand failed: card network down',
      ]);
      await app.close();
    });
  });

  describe('when a middleware class is not registered as a provider', () => {
    it('should build it with its dependencies injected', async () => {
      // Given
      @Injectable()
      class Prefix {
        readonly value = 'tenant-1';
      }
      @Injectable()
      class TenantMiddleware implements BusMiddleware {
        constructor(private readonly prefix: Prefix) {}
        async handle(_m: object, context: DispatchContext, next: NextFn): Promise<unknown> {
          context.set('tenant', this.prefix.value);
          return next();
        }
      }
      class WhichTenantQuery extends Query<string> {}
      @QueryHandler(WhichTenantQuery, { middleware: [TenantMiddleware] })
      class WhichTenantHandler {
        async execute(_q: WhichTenantQuery, context: DispatchContext): Promise<string> {
          return context.get<string>('tenant') ?? 'none';
        }
      }
      const app = await bootCqrsApp({}, { providers: [Prefix, WhichTenantHandler] });
      // When
      const tenant = await app.get(QueryBus).dispatch(new WhichTenantQuery());
      // Then
      expect(tenant).toBe('tenant-1');
      await app.close();
    });
  });
});
