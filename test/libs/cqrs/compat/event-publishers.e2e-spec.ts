import { Test } from '@nestjs/testing';
import { EventBus } from '@cello/cqrs/compat';
import {
  AwaitingAppModule,
  FireAndForgetAppModule,
  ParcelArrivedEvent,
  ParcelLostEvent,
  SlowInsuranceHandler,
  SlowParcelArrivedHandler,
  SlowParcelLostHandler,
} from './__fixtures__/slow-handlers.fixture';

async function boot(module: object) {
  const app = await Test.createTestingModule({ imports: [module as never] }).compile();
  await app.init();
  return {
    app,
    eventBus: app.get(EventBus),
    arrived: jest.spyOn(app.get(SlowParcelArrivedHandler), 'finished'),
    lost: jest.spyOn(app.get(SlowParcelLostHandler), 'finished'),
    insured: jest.spyOn(app.get(SlowInsuranceHandler), 'finished'),
  };
}

describe('@cello/cqrs/compat: EventBus publishers', () => {
  describe('with the default publisher (handlers run in the background)', () => {
    let ctx: Awaited<ReturnType<typeof boot>>;
    beforeAll(async () => (ctx = await boot(FireAndForgetAppModule)));
    beforeEach(() => jest.clearAllMocks());
    afterAll(() => ctx.app.close());

    it('should resolve publish() of "ParcelArrivedEvent" before its handler finishes', async () => {
      await ctx.eventBus.publish(new ParcelArrivedEvent('p1'));
      expect(ctx.arrived).not.toHaveBeenCalled();
      expect(ctx.lost).not.toHaveBeenCalled();
      expect(ctx.insured).not.toHaveBeenCalled();
    });

    it('should resolve publish() of "ParcelLostEvent" before its two handlers finish', async () => {
      await ctx.eventBus.publish(new ParcelLostEvent('p1'));
      expect(ctx.arrived).not.toHaveBeenCalled();
      expect(ctx.lost).not.toHaveBeenCalled();
      expect(ctx.insured).not.toHaveBeenCalled();
    });
  });

  describe('with a publisher that awaits the eventOperators', () => {
    let ctx: Awaited<ReturnType<typeof boot>>;
    beforeAll(async () => (ctx = await boot(AwaitingAppModule)));
    beforeEach(() => jest.clearAllMocks());
    afterAll(() => ctx.app.close());

    it('should wait for the one handler of "ParcelArrivedEvent"', async () => {
      await ctx.eventBus.publish(new ParcelArrivedEvent('p2'));
      expect(ctx.arrived).toHaveBeenCalledTimes(1);
      expect(ctx.lost).not.toHaveBeenCalled();
      expect(ctx.insured).not.toHaveBeenCalled();
    });

    it('should wait for both handlers of "ParcelLostEvent"', async () => {
      await ctx.eventBus.publish(new ParcelLostEvent('p2'));
      expect(ctx.arrived).not.toHaveBeenCalled();
      expect(ctx.lost).toHaveBeenCalledTimes(1);
      expect(ctx.insured).toHaveBeenCalledTimes(1);
    });

    it('should resolve at once for an event no handler knows (a plain object)', async () => {
      await ctx.eventBus.publish({ id: 'unknown event' });
      expect(ctx.arrived).not.toHaveBeenCalled();
      expect(ctx.lost).not.toHaveBeenCalled();
      expect(ctx.insured).not.toHaveBeenCalled();
    });
  });
});
