import 'reflect-metadata';
import Module from 'node:module';
import { bootApp } from '../support/boot-app';
import { lazyRequire } from '../support/lazy-require';
import { NotAvailableError, type BenchContext, type Measurement } from '../support/workload';
import { dispatchRate } from './dispatch-fixtures';

/**
 * How the tracing hooks of the bus are set up in one subject of
 * `dispatch-command-traced` (issue 19: with no SDK registered, tracing costs
 * under 5 % per dispatch):
 * - `api-no-sdk`: `@opentelemetry/api` installed, no SDK registered (what an
 *   app that does not trace gets);
 * - `api-absent`: `@opentelemetry/api` cannot be resolved in this process;
 * - `no-hooks`: the bus's routes called directly, past `MessageBus.send`
 *   (no tracer check, no correlation switch): the bus as if it had no hooks.
 */
export type TracingSetup = 'api-no-sdk' | 'api-absent' | 'no-hooks';

/** Makes `@opentelemetry/api` unresolvable in this process, as if it were not installed. */
function hideOpenTelemetryApi(): void {
  const loader = Module as unknown as {
    _resolveFilename: (request: string, ...rest: unknown[]) => string;
  };
  const resolve = loader._resolveFilename;
  loader._resolveFilename = function resolveWithoutOtel(request: string, ...rest: unknown[]) {
    if (request === '@opentelemetry/api' || request.startsWith('@opentelemetry/api/')) {
      const error = new Error(`Cannot find module '${request}'`) as Error & { code: string };
      error.code = 'MODULE_NOT_FOUND';
      throw error;
    }
    return resolve.call(this, request, ...rest);
  };
}

/** The plain command bus (no validation, metrics, limit or middleware) under `setup`. */
export async function celloTracedDispatch(
  context: BenchContext,
  setup: TracingSetup,
): Promise<Measurement> {
  if (setup === 'api-absent') hideOpenTelemetryApi();
  const cqrs = lazyRequire<typeof import('@cello/cqrs')>('@cello/cqrs');
  const internal = lazyRequire<typeof import('@cello/core/internal')>('@cello/core/internal');

  class PingCommand extends cqrs.Command<number> {
    constructor(
      readonly orderId: string,
      readonly n: number,
    ) {
      super();
    }
  }
  @cqrs.CommandHandler(PingCommand)
  class PingCommandHandler {
    async execute(command: PingCommand): Promise<number> {
      return command.n;
    }
  }
  const app = await bootApp([
    {
      module: class CelloCqrsFeature {},
      imports: [cqrs.CqrsModule.forRoot({ validate: false, commandTimeout: 0 })],
      providers: [PingCommandHandler],
    },
  ]);
  // The setup must be what it claims: no SDK, so no tracer (and no span) in every subject.
  if (internal.celloTracer() !== undefined) {
    throw new NotAvailableError('an OpenTelemetry SDK is registered in this process');
  }
  let apiLoaded = true;
  try {
    require.resolve('@opentelemetry/api');
  } catch {
    apiLoaded = false;
  }
  if (apiLoaded !== (setup !== 'api-absent')) {
    throw new NotAvailableError(
      `@opentelemetry/api is ${apiLoaded ? '' : 'not '}resolvable, unexpected for ${setup}`,
    );
  }
  const bus = app.get(cqrs.CommandBus);
  const detail = {
    'api-no-sdk': '@opentelemetry/api installed, no SDK registered',
    'api-absent': '@opentelemetry/api not resolvable',
    'no-hooks': 'routes called past MessageBus.send (no tracing hook)',
  }[setup];
  let m: Measurement;
  if (setup === 'no-hooks') {
    type RouteLike = { dispatch(message: object, request: unknown): Promise<unknown> };
    const routes = (bus as unknown as { routes: Map<unknown, RouteLike> }).routes;
    m = await dispatchRate(context, (i) => {
      const message = new PingCommand('order-1', i);
      return routes.get(message.constructor)!.dispatch(message, undefined);
    });
  } else {
    m = await dispatchRate(context, (i) => bus.dispatch(new PingCommand('order-1', i)));
  }
  return { ...m, detail: `${m.detail}; ${detail}` };
}
