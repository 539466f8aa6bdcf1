import { Injectable, Scope, Inject } from '@nestjs/common';
import { REQUEST } from '@nestjs/core';
import { isCelloError } from '@cello/core';
import { IsInt, IsNotEmpty, IsString, Max, Min } from 'class-validator';
import { CommandBus } from '@cello/cqrs/command-bus';
import type { DispatchContext } from '@cello/cqrs/bus/dispatch-context';
import { CommandHandler } from '@cello/cqrs/decorators/command-handler.decorator';
import { CommandTimeoutError } from '@cello/cqrs/errors/command-timeout.error';
import { DuplicateHandlerError } from '@cello/cqrs/errors/duplicate-handler.error';
import { HandlerNotFoundError } from '@cello/cqrs/errors/handler-not-found.error';
import { ValidationError } from '@cello/cqrs/errors/validation.error';
import { Command } from '@cello/cqrs/message/command';
import { bootCqrsApp } from './testing/boot-cqrs-app';

class CreateOrderCommand extends Command<string> {
  @IsString()
  @IsNotEmpty()
  customerId: string;

  @IsInt()
  @Min(1)
  @Max(100)
  quantity: number;

  constructor(customerId: string, quantity: number) {
    super();
    this.customerId = customerId;
    this.quantity = quantity;
  }
}

@Injectable()
class OrderIds {
  private next = 0;
  nextId(): string {
    this.next += 1;
    return `order-${this.next}`;
  }
}

@CommandHandler(CreateOrderCommand)
class CreateOrderHandler {
  calls = 0;
  constructor(private readonly ids: OrderIds) {}
  async execute(command: CreateOrderCommand): Promise<string> {
    this.calls += 1;
    return `${this.ids.nextId()}:${command.customerId}`;
  }
}

describe('CommandBus', () => {
  describe('when a command is dispatched', () => {
    it('should run its handler, with its dependencies injected, and return the result', async () => {
      // Given
      const app = await bootCqrsApp({}, { providers: [OrderIds, CreateOrderHandler] });
      // When
      const result = await app.get(CommandBus).dispatch(new CreateOrderCommand('c-1', 2));
      // Then
      expect(result).toBe('order-1:c-1');
      await app.close();
    });

    it('should route by class identity, even between two classes of the same name', async () => {
      // Given: two distinct classes both named "Ping"
      const first = (() => {
        class Ping extends Command<string> {}
        return Ping;
      })();
      const second = (() => {
        class Ping extends Command<string> {}
        return Ping;
      })();
      @CommandHandler(first)
      class FirstPingHandler {
        async execute(): Promise<string> {
          return 'first';
        }
      }
      @CommandHandler(second)
      class SecondPingHandler {
        async execute(): Promise<string> {
          return 'second';
        }
      }
      const app = await bootCqrsApp({}, { providers: [FirstPingHandler, SecondPingHandler] });
      const bus = app.get(CommandBus);
      // When / Then
      await expect(bus.dispatch(new first())).resolves.toBe('first');
      await expect(bus.dispatch(new second())).resolves.toBe('second');
      await app.close();
    });

    it('should turn a handler that throws synchronously into a rejected dispatch', async () => {
      // Given
      class Explode extends Command<void> {}
      @CommandHandler(Explode)
      class ExplodeHandler {
        execute(): void {
          throw new Error('boom');
        }
      }
      const app = await bootCqrsApp({ commandTimeout: 0 }, { providers: [ExplodeHandler] });
      // When
      const dispatched = app.get(CommandBus).dispatch(new Explode());
      // Then
      await expect(dispatched).rejects.toThrow('boom');
      await app.close();
    });
  });

  describe('when no handler handles the command', () => {
    it('should fail with HandlerNotFoundError naming the command', async () => {
      // Given
      class ShipOrderCommand extends Command<void> {}
      const app = await bootCqrsApp({}, { providers: [OrderIds, CreateOrderHandler] });
      // When
      const dispatched = app.get(CommandBus).dispatch(new ShipOrderCommand());
      // Then
      await expect(dispatched).rejects.toBeInstanceOf(HandlerNotFoundError);
      await expect(dispatched).rejects.toThrow(/No handler for command "ShipOrderCommand"/);
      await expect(dispatched).rejects.toMatchObject({ code: 'handler-not-found' });
      await app.close();
    });
  });

  describe('when what is dispatched is not a command object', () => {
    it('should reject with a TypeError naming it, with or without dispatch options', async () => {
      // Given (a caller without types)
      const app = await bootCqrsApp({}, { providers: [OrderIds, CreateOrderHandler] });
      const bus = app.get(CommandBus) as unknown as {
        dispatch(command: unknown, options?: object): Promise<unknown>;
      };
      // When
      const bare = bus.dispatch(null);
      const withOptions = bus.dispatch(undefined, { request: {} });
      // Then
      await expect(bare).rejects.toThrow(
        new TypeError('dispatch() needs a command object, got null'),
      );
      await expect(withOptions).rejects.toThrow(
        new TypeError('dispatch() needs a command object, got undefined'),
      );
      await app.close();
    });
  });

  describe('when two handlers claim the same command', () => {
    it('should fail start-up naming both handler classes', async () => {
      // Given
      @CommandHandler(CreateOrderCommand)
      class AnotherCreateOrderHandler {
        async execute(): Promise<string> {
          return 'other';
        }
      }
      // When
      const booting = bootCqrsApp(
        {},
        { providers: [OrderIds, CreateOrderHandler, AnotherCreateOrderHandler] },
      );
      // Then
      await expect(booting).rejects.toBeInstanceOf(DuplicateHandlerError);
      await expect(booting).rejects.toThrow(
        /"CreateOrderCommand" has two handlers: CreateOrderHandler and AnotherCreateOrderHandler/,
      );
    });
  });

  describe('when the command breaks its class-validator constraints', () => {
    it('should reject it with a ValidationError listing each field and constraint, without running the handler', async () => {
      // Given
      const app = await bootCqrsApp({}, { providers: [OrderIds, CreateOrderHandler] });
      const handler = app.get(CreateOrderHandler);
      // When
      const error = await app
        .get(CommandBus)
        .dispatch(new CreateOrderCommand('', 500))
        .catch((e: unknown) => e);
      // Then
      expect(error).toBeInstanceOf(ValidationError);
      expect(isCelloError(error, 'message-validation-failed')).toBe(true);
      expect((error as ValidationError).violations).toEqual([
        { field: 'customerId', constraints: { isNotEmpty: 'customerId should not be empty' } },
        { field: 'quantity', constraints: { max: 'quantity must not be greater than 100' } },
      ]);
      expect((error as ValidationError).message).toContain('CreateOrderCommand is invalid');
      expect(handler.calls).toBe(0);
      await app.close();
    });

    it('should skip validation when it is turned off for the module', async () => {
      // Given
      const app = await bootCqrsApp(
        { validate: false },
        { providers: [OrderIds, CreateOrderHandler] },
      );
      // When
      const result = await app.get(CommandBus).dispatch(new CreateOrderCommand('', 500));
      // Then
      expect(result).toBe('order-1:');
      await app.close();
    });
  });

  describe('when a handler overruns its time limit', () => {
    it('should fail with CommandTimeoutError naming the command and limit, and abort the handler signal', async () => {
      // Given
      class SlowCommand extends Command<string> {}
      let seenSignal: AbortSignal | undefined;
      @CommandHandler(SlowCommand, { timeout: 0.05 })
      class SlowHandler {
        execute(_: SlowCommand, context: DispatchContext): Promise<string> {
          seenSignal = context.signal;
          return new Promise((resolve) => {
            const timer = setTimeout(() => resolve('too late'), 5_000);
            context.signal.addEventListener('abort', () => clearTimeout(timer));
          });
        }
      }
      const app = await bootCqrsApp({}, { providers: [SlowHandler] });
      // When
      const error = await app
        .get(CommandBus)
        .dispatch(new SlowCommand())
        .catch((e: unknown) => e);
      // Then
      expect(error).toBeInstanceOf(CommandTimeoutError);
      expect(error).toMatchObject({
        code: 'command-timeout',
        messageName: 'SlowCommand',
        timeoutMs: 50,
      });
      expect((error as Error).message).toContain('"SlowCommand" did not finish within 50 ms');
      expect(seenSignal?.aborted).toBe(true);
      expect(seenSignal?.reason).toBe(error);
      await app.close();
    });

    it('should apply the bus-wide commandTimeout when the handler sets none', async () => {
      // Given
      class HangCommand extends Command<void> {}
      @CommandHandler(HangCommand)
      class HangHandler {
        execute(): Promise<void> {
          return new Promise(() => undefined);
        }
      }
      const app = await bootCqrsApp({ commandTimeout: 0.03 }, { providers: [HangHandler] });
      // When
      const dispatched = app.get(CommandBus).dispatch(new HangCommand());
      // Then
      await expect(dispatched).rejects.toMatchObject({ code: 'command-timeout', timeoutMs: 30 });
      await app.close();
    });

    it('should let a per-message option in the module win over the handler and bus limits', async () => {
      // Given
      class ReportCommand extends Command<string> {}
      @CommandHandler(ReportCommand, { timeout: 0.01 })
      class ReportHandler {
        execute(): Promise<string> {
          return new Promise((resolve) => setTimeout(() => resolve('done'), 60));
        }
      }
      const app = await bootCqrsApp(
        { commandTimeout: 0.01, messages: [{ message: ReportCommand, timeout: 5 }] },
        { providers: [ReportHandler] },
      );
      // When
      const result = await app.get(CommandBus).dispatch(new ReportCommand());
      // Then
      expect(result).toBe('done');
      await app.close();
    });
  });

  describe('when the caller cancels through its own AbortSignal', () => {
    it('should reject with the reason and abort the handler signal', async () => {
      // Given
      class ExportCommand extends Command<string> {}
      let handlerSignal: AbortSignal | undefined;
      @CommandHandler(ExportCommand)
      class ExportHandler {
        execute(_c: ExportCommand, context: DispatchContext): Promise<string> {
          handlerSignal = context.signal;
          return new Promise(() => undefined);
        }
      }
      const app = await bootCqrsApp({}, { providers: [ExportHandler] });
      const caller = new AbortController();
      // When
      const dispatched = app
        .get(CommandBus)
        .dispatch(new ExportCommand(), { signal: caller.signal });
      caller.abort(new Error('client went away'));
      // Then
      await expect(dispatched).rejects.toThrow('client went away');
      expect(handlerSignal?.aborted).toBe(true);
      expect((handlerSignal?.reason as Error).message).toBe('client went away');
      await app.close();
    });

    it('should not run the handler when the signal has already aborted', async () => {
      // Given
      const app = await bootCqrsApp({}, { providers: [OrderIds, CreateOrderHandler] });
      const handler = app.get(CreateOrderHandler);
      // When
      const dispatched = app.get(CommandBus).dispatch(new CreateOrderCommand('c-1', 1), {
        signal: AbortSignal.abort(new Error('too late')),
      });
      // Then
      await expect(dispatched).rejects.toThrow('too late');
      expect(handler.calls).toBe(0);
      await app.close();
    });

    it('should resolve normally when the handler finishes first', async () => {
      // Given
      const app = await bootCqrsApp(
        { commandTimeout: 0 },
        { providers: [OrderIds, CreateOrderHandler] },
      );
      const caller = new AbortController();
      // When
      const result = await app
        .get(CommandBus)
        .dispatch(new CreateOrderCommand('c-9', 1), { signal: caller.signal });
      caller.abort(new Error('afterwards'));
      // Then
      expect(result).toBe('order-1:c-9');
      await app.close();
    });
  });

  describe('when the handler is request-scoped', () => {
    it('should resolve a fresh handler per request, seeing that request', async () => {
      // Given
      class WhoAmICommand extends Command<string> {}
      @CommandHandler(WhoAmICommand)
      @Injectable({ scope: Scope.REQUEST })
      class WhoAmIHandler {
        static created = 0;
        constructor(@Inject(REQUEST) private readonly request: { user: string }) {
          WhoAmIHandler.created += 1;
        }
        async execute(): Promise<string> {
          return this.request.user;
        }
      }
      const app = await bootCqrsApp({}, { providers: [WhoAmIHandler] });
      const bus = app.get(CommandBus);
      const alice = { user: 'alice' };
      const createdBefore = WhoAmIHandler.created;
      // When
      const first = await bus.dispatch(new WhoAmICommand(), { request: alice });
      const again = await bus.dispatch(new WhoAmICommand(), { request: alice });
      const second = await bus.dispatch(new WhoAmICommand(), { request: { user: 'bob' } });
      // Then
      expect([first, again, second]).toEqual(['alice', 'alice', 'bob']);
      expect(WhoAmIHandler.created - createdBefore).toBe(2); // one per request, reused within a request
      await app.close();
    });
  });
});
