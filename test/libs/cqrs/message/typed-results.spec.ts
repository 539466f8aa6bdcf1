import { Test } from '@nestjs/testing';
import { CommandBus } from '@cello/cqrs/command-bus';
import { CqrsModule } from '@cello/cqrs/cqrs.module';
import { CommandHandler } from '@cello/cqrs/decorators/command-handler.decorator';
import { QueryHandler } from '@cello/cqrs/decorators/query-handler.decorator';
import type { ICommandHandler, IQueryHandler } from '@cello/cqrs/handlers/message-handler';
import { QueryBus } from '@cello/cqrs/query-bus';
import { withPosition, type CommandResult } from '@cello/cqrs/sync/command-result';
import { Command } from '@cello/cqrs/message/command';
import { Query } from '@cello/cqrs/message/query';

/**
 * Type-level checks, enforced by `tsc --noEmit` (part of `npm test`): a wrong
 * type makes `expectType<Expected>()(value)` or an `@ts-expect-error` line fail to compile.
 */
type Equal<A, B> =
  (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
function expectType<Expected>() {
  return <Actual>(value: Actual, ..._exact: Equal<Actual, Expected> extends true ? [] : [never]) =>
    value;
}

class CreateOrderCommand extends Command<string> {
  constructor(readonly customerId: string) {
    super();
  }
}

class PlaceOrderCommand extends Command<CommandResult<{ orderId: string }>> {}

class CountOrdersQuery extends Query<number> {}

interface OrderView {
  readonly id: string;
  readonly status: 'created' | 'cancelled';
}

class GetOrderQuery extends Query<OrderView | null> {
  constructor(readonly orderId: string) {
    super();
  }
}

@CommandHandler(CreateOrderCommand)
class CreateOrderHandler implements ICommandHandler<CreateOrderCommand> {
  execute(command: CreateOrderCommand): Promise<string> {
    return Promise.resolve(`order-of-${command.customerId}`);
  }
}

@CommandHandler(PlaceOrderCommand)
class PlaceOrderHandler implements ICommandHandler<PlaceOrderCommand> {
  execute() {
    return withPosition({ orderId: 'o-1' }, 42);
  }
}

@QueryHandler(CountOrdersQuery)
class CountOrdersHandler implements IQueryHandler<CountOrdersQuery> {
  execute(): number {
    return 3;
  }
}

@QueryHandler(GetOrderQuery)
class GetOrderHandler implements IQueryHandler<GetOrderQuery> {
  async execute(query: GetOrderQuery): Promise<OrderView | null> {
    return { id: query.orderId, status: 'created' };
  }
}

// A handler whose return type disagrees with its command does not compile.
class WrongHandler implements ICommandHandler<CreateOrderCommand> {
  // @ts-expect-error -- CreateOrderCommand's result is a string, not a number
  execute(): Promise<number> {
    return Promise.resolve(1);
  }
}
void WrongHandler;

describe('typed results', () => {
  describe('when commands and queries are dispatched', () => {
    it('should type each result by the message class, without a cast', async () => {
      // Given
      const moduleRef = await Test.createTestingModule({
        imports: [CqrsModule.forRoot()],
        providers: [CreateOrderHandler, PlaceOrderHandler, CountOrdersHandler, GetOrderHandler],
      }).compile();
      const app = await moduleRef.createNestApplication().init();
      const commandBus = app.get(CommandBus);
      const queryBus = app.get(QueryBus);

      // When
      const orderId = await commandBus.dispatch(new CreateOrderCommand('c-1'));
      const placed = await commandBus.dispatch(new PlaceOrderCommand());
      const count = await queryBus.dispatch(new CountOrdersQuery());
      const order = await queryBus.dispatch(new GetOrderQuery('o-7'));

      // Then: the compile-time types
      expectType<string>()(orderId);
      expectType<CommandResult<{ orderId: string }>>()(placed);
      expectType<number>()(count);
      expectType<OrderView | null>()(order);
      // @ts-expect-error -- the result is a string, so it is not a number
      expectType<number>()(orderId);
      // @ts-expect-error -- `any` would not do either: the type is exact
      expectType<unknown>()(count);
      // @ts-expect-error -- a query cannot go on the command bus
      void commandBus.dispatch(new CountOrdersQuery()).catch(() => undefined);
      // @ts-expect-error -- a command cannot go on the query bus
      void queryBus.dispatch(new CreateOrderCommand('c-2')).catch(() => undefined);
      // @ts-expect-error -- a plain object is not a command
      void commandBus.dispatch({ customerId: 'c-3' }).catch(() => undefined);

      // Then: and the values
      expect(orderId).toBe('order-of-c-1');
      expect(placed).toEqual({ result: { orderId: 'o-1' }, position: 42 });
      expect(count).toBe(3);
      expect(order).toEqual({ id: 'o-7', status: 'created' });
      await app.close();
    });
  });
});
