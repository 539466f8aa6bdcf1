import { Injectable, Module } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { IsString } from 'class-validator';
import { Registry } from 'prom-client';
import { CelloMetricsModule } from '@cello/core';
import {
  CommandTimeoutError,
  CQRS_MODULE_OPTIONS,
  CommandBus as CelloCommandBus,
  CqrsModule as CelloCqrsModule,
  HandlerNotFoundError,
  InvalidCqrsDecoratorError,
  InvalidCqrsOptionError,
  ValidationError,
  type BusMiddleware,
  type NextFn,
} from '@cello/cqrs';
import {
  CommandBus,
  CommandHandler,
  CommandHandlerNotFoundException,
  CqrsModule,
  type CqrsModuleOptions,
  type CqrsModuleOptionsFactory,
  type ICommandHandler,
  QueryBus,
  QueryHandlerNotFoundException,
} from '@cello/cqrs/compat';

class StallCommand {}
class CountCommand {
  constructor(readonly n: number) {}
}
class SignUpCommand {
  @IsString()
  email!: unknown;
}
class NobodyHandlesThis {}

const never = () => new Promise<never>(() => undefined);

@Injectable()
class RecordingMiddleware implements BusMiddleware {
  static seen: object[] = [];
  async handle(message: object, _context: unknown, next: NextFn): Promise<unknown> {
    RecordingMiddleware.seen.push(message);
    return next();
  }
}

@CommandHandler(StallCommand, { timeout: 0.05 })
class StallHandler implements ICommandHandler<StallCommand> {
  execute(): Promise<never> {
    return never();
  }
}

@CommandHandler(CountCommand, { middleware: [RecordingMiddleware] })
class CountHandler implements ICommandHandler<CountCommand> {
  async execute(command: CountCommand): Promise<number> {
    return command.n + 1;
  }
}

@CommandHandler(SignUpCommand, { validate: true })
class SignUpHandler implements ICommandHandler<SignUpCommand> {
  async execute(): Promise<string> {
    return 'signed up';
  }
}

const handlers = [StallHandler, CountHandler, SignUpHandler];

async function boot(cqrs: object, ...more: object[]) {
  @Module({ imports: [cqrs as never, ...(more as never[])], providers: handlers })
  class AppModule {}
  const app = await Test.createTestingModule({ imports: [AppModule] }).compile();
  await app.init();
  return app;
}

describe('@cello/cqrs/compat: Cello options per handler', () => {
  describe('when a handler is declared with { timeout }', () => {
    it('should fail a dispatch that runs past it with CommandTimeoutError', async () => {
      const app = await boot(CqrsModule.forRoot());
      await expect(app.get(CommandBus).execute(new StallCommand())).rejects.toBeInstanceOf(
        CommandTimeoutError,
      );
      await app.close();
    });
  });

  describe('when a handler is declared with { middleware }', () => {
    it('should run the middleware around it', async () => {
      const app = await boot(CqrsModule.forRoot());
      RecordingMiddleware.seen = [];
      const command = new CountCommand(41);
      await expect(app.get(CommandBus).execute(command)).resolves.toBe(42);
      expect(RecordingMiddleware.seen).toEqual([command]);
      await app.close();
    });
  });

  describe('when a handler is declared with { validate: true }', () => {
    it('should refuse an invalid command with ValidationError before the handler runs', async () => {
      const app = await boot(CqrsModule.forRoot());
      const bad = Object.assign(new SignUpCommand(), { email: 42 });
      await expect(app.get(CommandBus).execute(bad)).rejects.toBeInstanceOf(ValidationError);
      const good = Object.assign(new SignUpCommand(), { email: 'a@b.c' });
      await expect(app.get(CommandBus).execute(good)).resolves.toBe('signed up');
      await app.close();
    });
  });

  describe('when the app imports CelloMetricsModule', () => {
    it('should count and time the compat dispatches as Cello dispatches', async () => {
      const registry = new Registry();
      const app = await boot(CqrsModule.forRoot(), CelloMetricsModule.forRoot({ registry }));
      await app.get(CommandBus).execute(new CountCommand(1));
      await expect(app.get(CommandBus).execute(new StallCommand())).rejects.toThrow();
      const text = await registry.metrics();
      expect(text).toContain(
        'cello_commands_dispatched_total{command="CountCommand",outcome="success"} 1',
      );
      expect(text).toContain(
        'cello_commands_dispatched_total{command="StallCommand",outcome="timeout"} 1',
      );
      await app.close();
    });
  });

  describe('when a handler is declared with an option Cello does not know', () => {
    it('should fail at declaration, naming the option', () => {
      const declare = () =>
        CommandHandler(CountCommand, { timout: 1 } as never)(class TypoHandler {});
      expect(declare).toThrow(InvalidCqrsDecoratorError);
      expect(declare).toThrow(/"timout"/);
    });
  });
});

describe('@cello/cqrs/compat: CqrsModule forms', () => {
  it('should run with @nestjs/cqrs defaults (no time limit, no validation) when imported bare', async () => {
    const app = await boot(CqrsModule);
    expect(app.get(CQRS_MODULE_OPTIONS)).toEqual({
      commandTimeout: 0,
      queryTimeout: 0,
      validate: false,
    });
    await expect(app.get(CommandBus).execute(new CountCommand(1))).resolves.toBe(2);
    await app.close();
  });

  it("should take Cello's bus options under `cello` from forRootAsync({ useFactory })", async () => {
    const app = await boot(
      CqrsModule.forRootAsync({ useFactory: async () => ({ cello: { commandTimeout: 7 } }) }),
    );
    expect(app.get(CQRS_MODULE_OPTIONS)).toMatchObject({ commandTimeout: 7, queryTimeout: 0 });
    await app.close();
  });

  it('should take the options from forRootAsync({ useClass })', async () => {
    class Options implements CqrsModuleOptionsFactory {
      createCqrsOptions(): CqrsModuleOptions {
        return { cello: { queryTimeout: 3 } };
      }
    }
    const app = await boot(CqrsModule.forRootAsync({ useClass: Options }));
    expect(app.get(CQRS_MODULE_OPTIONS)).toMatchObject({ queryTimeout: 3 });
    await app.close();
  });

  it("should refuse start-up when Cello's own CqrsModule is imported as well", async () => {
    await expect(boot(CqrsModule.forRoot(), CelloCqrsModule.forRoot())).rejects.toThrow(
      /Import only the compat one/,
    );
  });

  it('should refuse forRootAsync without a way to make the options', () => {
    expect(() => CqrsModule.forRootAsync({})).toThrow(InvalidCqrsOptionError);
  });

  it("should give Cello's own CommandBus the same handlers (for Cello modules)", async () => {
    const app = await boot(CqrsModule.forRoot());
    await expect(app.get(CelloCommandBus).dispatch(new CountCommand(9) as never)).resolves.toBe(10);
    await app.close();
  });
});

describe('@cello/cqrs/compat: a message without a handler', () => {
  it("should throw at once with upstream's exception names, which are Cello's HandlerNotFoundError", async () => {
    const app = await boot(CqrsModule.forRoot());
    const command = () => app.get(CommandBus).execute(new NobodyHandlesThis());
    const query = () => app.get(QueryBus).execute(new NobodyHandlesThis());
    expect(command).toThrow(CommandHandlerNotFoundException);
    expect(command).toThrow(HandlerNotFoundError);
    expect(query).toThrow(QueryHandlerNotFoundException);
    await app.close();
  });
});
