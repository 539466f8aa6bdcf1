import 'reflect-metadata';
import { isCelloError } from '@cello/core';
import { InvalidSagaDecoratorError } from '@cello/saga/errors/invalid-saga-decorator.error';
import { getSagaMetadata, Saga } from '@cello/saga/decorators/saga.decorator';
import { SagaStep } from '@cello/saga/decorators/saga-step.decorator';

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
  expect(isCelloError(error, InvalidSagaDecoratorError.code)).toBe(true);
  for (const fragment of fragments) expect((error as Error).message).toContain(fragment);
}

describe('@Saga used in ways Cello would not honour', () => {
  describe('when it is put on a property, as @nestjs/cqrs sagas are', () => {
    it('should fail when the class is declared, saying to declare a saga class instead', () => {
      const error = thrownBy(() => {
        class HeroesGameSagas {
          @((Saga as unknown as () => PropertyDecorator)())
          dragonKilled = (events$: unknown) => events$;
        }
        return HeroesGameSagas;
      });
      expectDecoratorError(
        error,
        'HeroesGameSagas.dragonKilled',
        'property',
        "@Saga('saga-name')",
        '@SagaStep',
        '@EventHandler',
      );
    });
  });

  describe('when it is used without parentheses', () => {
    it('should fail saying to call it with a name', () => {
      class OrderSaga {}
      const error = thrownBy(() => (Saga as unknown as (t: unknown) => unknown)(OrderSaga));
      expectDecoratorError(error, 'OrderSaga', "@Saga('saga-name')");
    });
  });

  describe.each<[string, unknown, string]>([
    ['an unknown option', { retries: 3 }, '"retries"'],
    ['a timeout of 0', { timeout: 0 }, 'seconds > 0'],
    ['options that are not an object', 'fast', 'not an object'],
  ])('when it is given %s', (_label, options, fragment) => {
    it('should fail naming the problem', () => {
      const error = thrownBy(() => Saga('order-fulfilment', options as never));
      expectDecoratorError(error, 'order-fulfilment', fragment);
    });
  });

  describe('when it is used as documented', () => {
    it('should record the name and options', () => {
      @Saga('order-fulfilment', { timeout: 60 })
      class OrderSaga {}
      expect(getSagaMetadata(OrderSaga)).toEqual({ name: 'order-fulfilment', timeout: 60 });
    });
  });
});

describe('@SagaStep used in ways Cello would not honour', () => {
  describe('when it is put on a property', () => {
    it('should fail saying to put it on a method', () => {
      const error = thrownBy(() => {
        class OrderSaga {
          @(SagaStep() as unknown as PropertyDecorator)
          reserve = async () => undefined;
        }
        return OrderSaga;
      });
      expectDecoratorError(error, 'OrderSaga.reserve', 'on a method');
    });
  });

  describe.each<[string, unknown, string]>([
    ['an unknown option', { retries: 3 }, '"retries"'],
    ['a compensate that is not a method name', { compensate: () => undefined }, 'method'],
    ['an order that is not a number', { order: 'first' }, 'order'],
    ['options that are not an object', 3, 'not an object'],
  ])('when it is given %s', (_label, options, fragment) => {
    it('should fail naming the problem', () => {
      const error = thrownBy(() => SagaStep(options as never));
      expectDecoratorError(error, '@SagaStep', fragment);
    });
  });

  describe('when it is used in the explicit form', () => {
    it('should still build a step with a compensate function', () => {
      const compensate = async () => undefined;
      const step = new SagaStep({ name: 'reserve', action: async () => undefined, compensate });
      expect(step.compensate).toBe(compensate);
    });
  });
});
