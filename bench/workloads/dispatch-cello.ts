import 'reflect-metadata';
import { IsInt, IsString, Min } from 'class-validator';
import { bootApp } from '../support/boot-app';
import { lazyRequire } from '../support/lazy-require';
import type { BenchContext, Measurement } from '../support/workload';
import { dispatchRate } from './dispatch-fixtures';

/**
 * Cello's CommandBus.dispatch / QueryBus.dispatch with a trivial handler.
 * `full`: class-validator validation, Prometheus metrics and a timeout on;
 * otherwise all three off and no middleware.
 */
export async function celloDispatch(
  context: BenchContext,
  kind: 'command' | 'query',
  full: boolean,
  parts: { validate: boolean; metrics: boolean; timeout: boolean } = {
    validate: full,
    metrics: full,
    timeout: full,
  },
): Promise<Measurement> {
  const cqrs = lazyRequire<typeof import('@cello/cqrs')>('@cello/cqrs');
  const core = lazyRequire<typeof import('@cello/core')>('@cello/core');
  const { Registry } = await import('prom-client');

  class PingCommand extends cqrs.Command<number> {
    @IsString()
    readonly orderId: string;

    @IsInt()
    @Min(0)
    readonly n: number;

    constructor(orderId: string, n: number) {
      super();
      this.orderId = orderId;
      this.n = n;
    }
  }
  class PingQuery extends cqrs.Query<number> {
    @IsString()
    readonly orderId: string;

    @IsInt()
    @Min(0)
    readonly n: number;

    constructor(orderId: string, n: number) {
      super();
      this.orderId = orderId;
      this.n = n;
    }
  }
  @cqrs.CommandHandler(PingCommand)
  class PingCommandHandler {
    async execute(command: PingCommand): Promise<number> {
      return command.n;
    }
  }
  @cqrs.QueryHandler(PingQuery)
  class PingQueryHandler {
    async execute(query: PingQuery): Promise<number> {
      return query.n;
    }
  }
  const timeout = parts.timeout ? 30 : 0;
  const app = await bootApp([
    ...(parts.metrics ? [core.CelloMetricsModule.forRoot({ registry: new Registry() })] : []),
    {
      module: class CelloCqrsFeature {},
      imports: [
        cqrs.CqrsModule.forRoot({
          validate: parts.validate,
          commandTimeout: timeout,
          queryTimeout: timeout,
        }),
      ],
      providers: [PingCommandHandler, PingQueryHandler],
    },
  ]);
  const detail = full
    ? 'validation + metrics + 30 s timeout'
    : 'no validation, metrics, timeout or middleware';
  if (kind === 'command') {
    const bus = app.get(cqrs.CommandBus);
    const m = await dispatchRate(context, (i) => bus.dispatch(new PingCommand('order-1', i)));
    return { ...m, detail: `${m.detail}; ${detail}` };
  }
  const bus = app.get(cqrs.QueryBus);
  const m = await dispatchRate(context, (i) => bus.dispatch(new PingQuery('order-1', i)));
  return { ...m, detail: `${m.detail}; ${detail}` };
}
