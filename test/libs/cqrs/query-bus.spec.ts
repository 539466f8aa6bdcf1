import { isCelloError } from '@cello/core';
import { POSITION_WAITER, type PositionWaiter } from '@cello/core/internal';
import { Global, Module } from '@nestjs/common';
import type { DispatchContext } from '@cello/cqrs/bus/dispatch-context';
import { QueryHandler } from '@cello/cqrs/decorators/query-handler.decorator';
import { EventSyncUnavailableError } from '@cello/cqrs/errors/event-sync-unavailable.error';
import { HandlerNotFoundError } from '@cello/cqrs/errors/handler-not-found.error';
import { QueryTimeoutError } from '@cello/cqrs/errors/query-timeout.error';
import { Query } from '@cello/cqrs/message/query';
import { QueryBus } from '@cello/cqrs/query-bus';
import { bootCqrsApp } from './testing/boot-cqrs-app';

describe('QueryBus', () => {
  describe('when a query handler overruns the query time limit', () => {
    it('should fail with QueryTimeoutError naming the query and limit, and abort its signal', async () => {
      // Given
      class SlowReportQuery extends Query<number> {}
      let signal: AbortSignal | undefined;
      @QueryHandler(SlowReportQuery)
      class SlowReportHandler {
        execute(_q: SlowReportQuery, context: DispatchContext): Promise<number> {
          signal = context.signal;
          return new Promise(() => undefined);
        }
      }
      const app = await bootCqrsApp({ queryTimeout: 0.04 }, { providers: [SlowReportHandler] });
      // When
      const error = await app
        .get(QueryBus)
        .dispatch(new SlowReportQuery())
        .catch((e: unknown) => e);
      // Then
      expect(error).toBeInstanceOf(QueryTimeoutError);
      expect(isCelloError(error, 'query-timeout')).toBe(true);
      expect(error).toMatchObject({ messageName: 'SlowReportQuery', timeoutMs: 40 });
      expect(signal?.aborted).toBe(true);
      await app.close();
    });
  });

  describe('when no handler handles the query', () => {
    it('should fail with HandlerNotFoundError naming the query', async () => {
      // Given
      class UnknownQuery extends Query<void> {}
      const app = await bootCqrsApp({}, {});
      // When
      const dispatched = app.get(QueryBus).dispatch(new UnknownQuery());
      // Then
      await expect(dispatched).rejects.toBeInstanceOf(HandlerNotFoundError);
      await expect(dispatched).rejects.toThrow(/No handler for query "UnknownQuery"/);
      await app.close();
    });
  });

  describe('when a query asks for waitForPosition without event sync', () => {
    it('should fail with EventSyncUnavailableError saying to turn on enableEventSync', async () => {
      // Given: CQRS alone, no event-sourcing module
      class CountQuery extends Query<number> {}
      @QueryHandler(CountQuery)
      class CountHandler {
        async execute(): Promise<number> {
          return 1;
        }
      }
      const app = await bootCqrsApp({}, { providers: [CountHandler] });
      // When
      const dispatched = app.get(QueryBus).dispatch(new CountQuery(), { waitForPosition: 3 });
      // Then
      await expect(dispatched).rejects.toBeInstanceOf(EventSyncUnavailableError);
      await expect(dispatched).rejects.toThrow(/enableEventSync: true/);
      await app.close();
    });

    it('should say to import EventSourcingModule when sync is on but the module is missing', async () => {
      // Given
      class CountQuery extends Query<number> {}
      @QueryHandler(CountQuery)
      class CountHandler {
        async execute(): Promise<number> {
          return 1;
        }
      }
      const app = await bootCqrsApp({ enableEventSync: true }, { providers: [CountHandler] });
      // When
      const dispatched = app.get(QueryBus).dispatch(new CountQuery(), { waitForPosition: 3 });
      // Then
      await expect(dispatched).rejects.toThrow(/import EventSourcingModule/);
      // And queries without waitForPosition still work
      await expect(app.get(QueryBus).dispatch(new CountQuery())).resolves.toBe(1);
      await app.close();
    });
  });

  describe('when a position waiter is provided under the core token', () => {
    it('should wait for the position through it before running the query', async () => {
      // Given: CQRS with no event-sourcing module, and a waiter of the app's own
      class CountQuery extends Query<number> {}
      const calls: string[] = [];
      @QueryHandler(CountQuery)
      class CountHandler {
        async execute(): Promise<number> {
          calls.push('handler');
          return 1;
        }
      }
      const waiter: PositionWaiter = {
        async waitForPosition(position, options) {
          calls.push(`wait ${position} for ${options?.subscribers?.join(',')}`);
        },
      };
      @Global()
      @Module({
        providers: [{ provide: POSITION_WAITER, useValue: waiter }],
        exports: [POSITION_WAITER],
      })
      class PositionsModule {}
      const app = await bootCqrsApp(
        { enableEventSync: true },
        { imports: [PositionsModule], providers: [CountHandler] },
      );
      // When
      const result = await app
        .get(QueryBus)
        .dispatch(new CountQuery(), { waitForPosition: 7, subscribers: ['orders'] });
      // Then
      expect(result).toBe(1);
      expect(calls).toEqual(['wait 7 for orders', 'handler']);
      await app.close();
    });
  });
});
