import { CelloMetricsModule } from '@cello/core';
import { IsPositive } from 'class-validator';
import { Registry } from 'prom-client';
import { CommandBus } from '../command-bus';
import { CommandHandler } from '../decorators/command-handler.decorator';
import { QueryHandler } from '../decorators/query-handler.decorator';
import { Command } from '../message/command';
import { Query } from '../message/query';
import { QueryBus } from '../query-bus';
import { bootCqrsApp } from '../testing/boot-cqrs-app';

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
});
