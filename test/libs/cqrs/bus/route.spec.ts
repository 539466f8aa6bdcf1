import { Route, type RouteDefinition } from '@cello/cqrs/bus/route';
import type { MessageValidator } from '@cello/cqrs/validation/message-validator';

class PlaceOrder {
  constructor(readonly sku = 'A-1') {}
}

function definition(overrides: Partial<RouteDefinition>): RouteDefinition {
  return {
    kind: 'command',
    messageType: PlaceOrder,
    handlerName: 'PlaceOrderHandler',
    invokeHandler: () => Promise.resolve('placed'),
    middleware: [],
    validator: undefined,
    timeoutMs: 0,
    deadlines: undefined,
    timeoutError: (name, ms) => new Error(`${name} took over ${ms} ms`),
    metrics: undefined,
    ...overrides,
  };
}

/** A validator refusing every message, counting its calls. */
function refusingValidator(): MessageValidator & { calls: number } {
  const validator = {
    calls: 0,
    planned: undefined,
    validate() {
      validator.calls += 1;
      return new Error('sku must not be empty');
    },
  };
  return validator as unknown as MessageValidator & { calls: number };
}

describe('Route', () => {
  describe('when a route needs no stage', () => {
    it("should hand back the handler's own promise, with no wrapper", async () => {
      // Given
      const handlerPromise = Promise.resolve('placed');
      const route = new Route(definition({ invokeHandler: () => handlerPromise }));
      // When
      const dispatched = route.dispatch(new PlaceOrder(), undefined);
      // Then
      expect(dispatched).toBe(handlerPromise);
      await expect(dispatched).resolves.toBe('placed');
    });

    it('should turn a synchronous throw into a rejection', async () => {
      const route = new Route(
        definition({
          invokeHandler: () => {
            throw new Error('out of stock');
          },
        }),
      );
      await expect(route.dispatch(new PlaceOrder(), undefined)).rejects.toThrow('out of stock');
    });
  });

  describe("when a caller's signal has already aborted", () => {
    it('should reject with its reason and run nothing, not even validation', async () => {
      // Given
      let ran = false;
      const validator = refusingValidator();
      const route = new Route(
        definition({
          validator,
          invokeHandler: () => {
            ran = true;
          },
        }),
      );
      const controller = new AbortController();
      controller.abort(new Error('client went away'));
      // When
      const dispatched = route.dispatchWithSignal(new PlaceOrder(), undefined, controller.signal);
      // Then
      await expect(dispatched).rejects.toThrow('client went away');
      expect(ran).toBe(false);
      expect(validator.calls).toBe(0);
    });
  });

  describe("when a message dispatched with a caller's signal is invalid", () => {
    it('should be refused by the same validation stage as without a signal', async () => {
      // Given
      const validator = refusingValidator();
      const route = new Route(definition({ validator }));
      // When
      const withSignal = route.dispatchWithSignal(
        new PlaceOrder(''),
        undefined,
        new AbortController().signal,
      );
      const without = route.dispatch(new PlaceOrder(''), undefined);
      // Then
      await expect(withSignal).rejects.toThrow('sku must not be empty');
      await expect(without).rejects.toThrow('sku must not be empty');
      expect(validator.calls).toBe(2);
    });
  });

  describe("when the caller's signal aborts while the handler runs", () => {
    it("should reject with the signal's reason and abort the handler's signal", async () => {
      // Given
      let handlerSignal: AbortSignal | undefined;
      const route = new Route(
        definition({
          invokeHandler: (_message, context) => {
            handlerSignal = context.signal;
            return new Promise(() => undefined);
          },
        }),
      );
      const controller = new AbortController();
      // When
      const dispatched = route.dispatchWithSignal(new PlaceOrder(), undefined, controller.signal);
      controller.abort(new Error('client went away'));
      // Then
      await expect(dispatched).rejects.toThrow('client went away');
      expect(handlerSignal?.aborted).toBe(true);
    });
  });
});
