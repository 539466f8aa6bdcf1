import { Test, type TestingModule } from '@nestjs/testing';
import { InstanceWrapper } from '@nestjs/core/injector/instance-wrapper';
import {
  Command,
  CommandBus,
  CommandHandlerNotFoundException,
  type ICommandHandler,
  Query,
  QueryBus,
  QueryHandlerNotFoundException,
} from '@cello/cqrs/compat';
import { LibraryAppModule } from './__fixtures__/library-app.fixture';

// The type assertions below are checked by `tsc --noEmit` (the project type-check);
// at run time each message has no handler, which is asserted too.
describe('@cello/cqrs/compat: result types', () => {
  let app: TestingModule;
  let commandBus: CommandBus;
  let queryBus: QueryBus;

  beforeAll(async () => {
    app = await Test.createTestingModule({ imports: [LibraryAppModule] }).compile();
    await app.init();
    commandBus = app.get(CommandBus);
    queryBus = app.get(QueryBus);
  });
  afterAll(() => app.close());

  const typed = <T>(run: () => Promise<T>) => run;

  describe('when a Command<R> is executed', () => {
    it('should type the result as R', () => {
      const run = typed(() => commandBus.execute(new Command<string>()));
      const check = (value: Awaited<ReturnType<typeof run>>) => {
        const asString: string = value;
        // @ts-expect-error -- a string is not a number
        const asNumber: number = value;
        return [asString, asNumber];
      };
      expect(check).toBeInstanceOf(Function);
      expect(run).toThrow(CommandHandlerNotFoundException);
    });
  });

  describe('when a plain command class is executed', () => {
    it('should type the result as any', () => {
      class PlainCommand {}
      const run = typed(() => commandBus.execute(new PlainCommand()));
      const check = (value: Awaited<ReturnType<typeof run>>) => {
        const asString: string = value;
        const asNumber: number = value;
        return [asString, asNumber];
      };
      expect(check).toBeInstanceOf(Function);
      expect(run).toThrow(CommandHandlerNotFoundException);
    });

    it('should take the result type from the second type argument', () => {
      class PlainCommand {}
      const run = typed(() => commandBus.execute<PlainCommand, string>(new PlainCommand()));
      const check = (value: Awaited<ReturnType<typeof run>>) => {
        const asString: string = value;
        // @ts-expect-error -- a string is not a number
        const asNumber: number = value;
        return [asString, asNumber];
      };
      expect(check).toBeInstanceOf(Function);
      expect(run).toThrow(/No handler for command "PlainCommand"/);
    });
  });

  describe('when a Query<R> is executed', () => {
    it('should type the result as R', () => {
      const run = typed(() => queryBus.execute(new Query<string>()));
      const check = (value: Awaited<ReturnType<typeof run>>) => {
        const asString: string = value;
        // @ts-expect-error -- a string is not a number
        const asNumber: number = value;
        return [asString, asNumber];
      };
      expect(check).toBeInstanceOf(Function);
      expect(run).toThrow(QueryHandlerNotFoundException);
    });
  });

  describe('when a plain query class is executed', () => {
    it('should type the result as any', () => {
      class PlainQuery {}
      const run = typed(() => queryBus.execute(new PlainQuery()));
      const check = (value: Awaited<ReturnType<typeof run>>) => {
        const asString: string = value;
        const asNumber: number = value;
        return [asString, asNumber];
      };
      expect(check).toBeInstanceOf(Function);
      expect(run).toThrow(QueryHandlerNotFoundException);
    });

    it('should take the result type from the second type argument', () => {
      class PlainQuery {}
      const run = typed(() => queryBus.execute<PlainQuery, string>(new PlainQuery()));
      const check = (value: Awaited<ReturnType<typeof run>>) => {
        const asString: string = value;
        // @ts-expect-error -- a string is not a number
        const asNumber: number = value;
        return [asString, asNumber];
      };
      expect(check).toBeInstanceOf(Function);
      expect(run).toThrow(/No handler for query "PlainQuery"/);
    });
  });

  describe('when a handler implements ICommandHandler of a Command<R>', () => {
    it("should check execute()'s result against R and type the bus's result", async () => {
      class RenameShelf extends Command<{ label: string }> {}

      class RenameShelfHandler implements ICommandHandler<RenameShelf> {
        async execute(): Promise<{ label: string }> {
          return { label: 'poetry' };
        }
      }
      class WrongResultHandler implements ICommandHandler<RenameShelf> {
        // @ts-expect-error -- the command declares { label: string }
        async execute(): Promise<{ label: number }> {
          return { label: 1 };
        }
      }

      const wrapper = new InstanceWrapper({
        metatype: RenameShelfHandler,
        instance: new RenameShelfHandler(),
      });
      commandBus.bind(wrapper, 'rename-shelf');
      commandBus.bind(
        new InstanceWrapper({
          metatype: WrongResultHandler,
          instance: new WrongResultHandler() as never,
        }),
        'wrong-result',
      );

      // Bound by hand under an id no decorator gave RenameShelf: still not routed, as upstream.
      const run = typed(() => commandBus.execute(new RenameShelf()));
      const check = (value: Awaited<ReturnType<typeof run>>) => {
        const label: string = value.label;
        // @ts-expect-error -- an object is not a number
        const asNumber: number = value;
        return [label, asNumber];
      };
      expect(check).toBeInstanceOf(Function);
      expect(run).toThrow(CommandHandlerNotFoundException);
    });
  });
});
