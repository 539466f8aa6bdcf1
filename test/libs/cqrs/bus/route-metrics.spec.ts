import { CelloMetrics, CelloMetricsModule } from '@cello/core';
import fc from 'fast-check';
import { IsPositive } from 'class-validator';
import { Registry } from 'prom-client';
import { CommandBus } from '@cello/cqrs/command-bus';
import { CommandHandler } from '@cello/cqrs/decorators/command-handler.decorator';
import { QueryHandler } from '@cello/cqrs/decorators/query-handler.decorator';
import { Command } from '@cello/cqrs/message/command';
import { Query } from '@cello/cqrs/message/query';
import { QueryBus } from '@cello/cqrs/query-bus';
import { bootCqrsApp } from '../testing/boot-cqrs-app';
import { routeMetrics } from '@cello/cqrs/bus/route-metrics';

class PayCommand extends Command<string> {
  @IsPositive()
  readonly amount: number;
  constructor(amount: number) {
    super();
    this.amount = amount;
  }
}

@CommandHandler(PayCommand, { timeout: 0.03 })
class PayHandler {
  execute(command: PayCommand): Promise<string> {
    if (command.amount === 13) return Promise.reject(new Error('unlucky'));
    if (command.amount === 99) return new Promise(() => undefined);
    return Promise.resolve('paid');
  }
}

class BalanceQuery extends Query<number> {}

@QueryHandler(BalanceQuery)
class BalanceHandler {
  async execute(): Promise<number> {
    return 5;
  }
}

class RefundCommand extends Command<string> {
  constructor(readonly amount: number) {
    super();
  }
}

// No time limit: the bus times the handler's own promise instead of making one.
@CommandHandler(RefundCommand, { timeout: 0 })
class RefundHandler {
  execute(command: RefundCommand): Promise<string> | string {
    if (command.amount === 13) return Promise.reject(new Error('unlucky'));
    if (command.amount === 7) throw new Error('thrown');
    if (command.amount === 1) return 'refunded at once';
    return Promise.resolve('refunded');
  }
}

/** What a metric exposes, by series, with the sum compared to float precision. */
async function exposed(metrics: CelloMetrics) {
  const series = async (metric: { get(): Promise<{ values: object[] }> } | undefined) =>
    (await metric!.get()).values;
  return {
    dispatched: await series(metrics.commandsDispatched),
    duration: await series(metrics.commandDuration),
  };
}

describe('dispatch metrics', () => {
  describe('when CelloMetricsModule is imported', () => {
    it('should count each dispatch by message type and outcome, and time it', async () => {
      // Given
      const registry = new Registry();
      const app = await bootCqrsApp(
        {},
        {
          imports: [CelloMetricsModule.forRoot({ registry })],
          providers: [PayHandler, BalanceHandler],
        },
      );
      const commands = app.get(CommandBus);
      // When
      await commands.dispatch(new PayCommand(10));
      await commands.dispatch(new PayCommand(20));
      await commands.dispatch(new PayCommand(13)).catch(() => undefined);
      await commands.dispatch(new PayCommand(99)).catch(() => undefined);
      await commands.dispatch(new PayCommand(-1)).catch(() => undefined);
      await app.get(QueryBus).dispatch(new BalanceQuery());
      // Then
      const dispatched = await registry.getSingleMetric('cello_commands_dispatched_total')!.get();
      const byOutcome = Object.fromEntries(
        dispatched.values.map((v) => [
          `${String(v.labels.command)}:${String(v.labels.outcome)}`,
          v.value,
        ]),
      );
      expect(byOutcome).toEqual({
        'PayCommand:success': 2,
        'PayCommand:error': 1,
        'PayCommand:timeout': 1,
        'PayCommand:invalid': 1,
      });
      const durations = await registry.getSingleMetric('cello_command_duration_seconds')!.get();
      const count = durations.values.find(
        (v) =>
          (v as { metricName?: string }).metricName === 'cello_command_duration_seconds_count' &&
          v.labels.command === 'PayCommand',
      );
      expect(count?.value).toBe(4); // invalid messages never ran, so they are not timed
      const text = await registry.metrics();
      expect(text).toContain(
        'cello_command_duration_seconds_bucket{le="+Inf",command="PayCommand"} 4',
      );
      expect(text).toMatch(
        /cello_command_duration_seconds_bucket\{le="10",command="PayCommand"\} 4/,
      );
      // And a second scrape does not count the same dispatches again
      expect(await registry.metrics()).toContain(
        'cello_commands_dispatched_total{command="PayCommand",outcome="success"} 2',
      );
      const queries = await registry.getSingleMetric('cello_queries_dispatched_total')!.get();
      expect(queries.values).toEqual([
        expect.objectContaining({
          labels: { query: 'BalanceQuery', outcome: 'success' },
          value: 1,
        }),
      ]);
      await app.close();
    });
  });
  describe('when a command has metrics but no time limit', () => {
    it('should count and time every outcome and hand the caller what the handler gave', async () => {
      // Given
      const registry = new Registry();
      const app = await bootCqrsApp(
        {},
        { imports: [CelloMetricsModule.forRoot({ registry })], providers: [RefundHandler] },
      );
      const commands = app.get(CommandBus);
      // When
      const results = await Promise.allSettled([
        commands.dispatch(new RefundCommand(10)),
        commands.dispatch(new RefundCommand(1)),
        commands.dispatch(new RefundCommand(13)),
        commands.dispatch(new RefundCommand(7)),
      ]);
      // Then
      expect(results.map((r) => (r.status === 'fulfilled' ? r.value : r.reason.message))).toEqual([
        'refunded',
        'refunded at once',
        'unlucky',
        'thrown',
      ]);
      const text = await registry.metrics();
      expect(text).toContain(
        'cello_commands_dispatched_total{command="RefundCommand",outcome="success"} 2',
      );
      expect(text).toContain(
        'cello_commands_dispatched_total{command="RefundCommand",outcome="error"} 2',
      );
      expect(text).toContain('cello_command_duration_seconds_count{command="RefundCommand"} 4');
      await app.close();
    });
  });

  describe('when durations are recorded between scrapes', () => {
    it('should expose the same counts, buckets and sum as prom-client observing each dispatch', async () => {
      const bounds = [
        0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5,
        1, 2.5, 5, 10,
      ];
      const seconds = fc.oneof(
        fc.constantFrom(0, ...bounds), // on a bucket's upper bound: that bucket (le is inclusive)
        fc.constantFrom(...bounds).map((b) => b * (1 + Number.EPSILON)), // just above it
        fc.double({ min: 0, max: 20, noNaN: true }),
      );
      const dispatch = fc.record({
        outcome: fc.constantFrom('success' as const, 'error' as const, 'timeout' as const),
        seconds,
        scrapeAfter: fc.boolean(),
      });
      await fc.assert(
        fc.asyncProperty(fc.array(dispatch, { maxLength: 60 }), async (dispatches) => {
          // Given: the bus's recorder on one registry, prom-client's own calls on another
          const recorded = new CelloMetrics({ registry: new Registry() });
          const reference = new CelloMetrics({ registry: new Registry() });
          const route = routeMetrics(recorded, 'command', 'PayCommand')!;
          const labels = { command: 'PayCommand' };
          for (const { outcome, seconds: value, scrapeAfter } of dispatches) {
            // When
            if (outcome === 'success') route.success += 1;
            else if (outcome === 'error') route.error += 1;
            else route.timeout += 1;
            route.observe(value);
            reference.commandsDispatched!.inc({ ...labels, outcome });
            reference.commandDuration!.observe(labels, value);
            // Then: equal at every scrape
            if (scrapeAfter) await expectSameExposition(recorded, reference);
          }
          await expectSameExposition(recorded, reference);
          route.close();
        }),
        { numRuns: 200 },
      );
    });
  });
});

async function expectSameExposition(recorded: CelloMetrics, reference: CelloMetrics) {
  const [ours, theirs] = [await exposed(recorded), await exposed(reference)];
  // Series order is not part of the exposition's meaning (outcomes are flushed in a fixed order).
  const byLabels = (values: object[]) =>
    [...values].sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
  expect(byLabels(ours.dispatched)).toEqual(byLabels(theirs.dispatched));
  const isSum = (v: { metricName?: string }) => v.metricName?.endsWith('_sum') === true;
  const withoutSum = (values: object[]) => values.filter((v) => !isSum(v));
  expect(withoutSum(ours.duration)).toEqual(withoutSum(theirs.duration));
  // The same observations, added in a different grouping: equal up to float rounding.
  const sums = (values: object[]) =>
    values.filter(isSum).map((v) => (v as { value: number }).value);
  const [ourSums, theirSums] = [sums(ours.duration), sums(theirs.duration)];
  expect(ourSums).toHaveLength(theirSums.length);
  ourSums.forEach((sum, i) => expect(sum).toBeCloseTo(theirSums[i], 9));
}
