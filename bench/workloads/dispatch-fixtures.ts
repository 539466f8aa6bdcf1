import 'reflect-metadata';
import { Injectable } from '@nestjs/common';
import type { INestApplicationContext } from '@nestjs/common';
import { IsInt, IsString, Min } from 'class-validator';
import { bootApp } from '../support/boot-app';
import { lazyRequire } from '../support/lazy-require';
import { unitsPerSecond } from '../support/timing';
import type { BenchContext, Measurement } from '../support/workload';

/** Dispatches per step of the timing loop (one `await` each, like a caller would). */
const PER_STEP = 10_000;

/** Times `dispatch` in a loop of awaited calls; ops/s. */
export async function dispatchRate(
  context: BenchContext,
  dispatch: (i: number) => Promise<unknown>,
): Promise<Measurement> {
  let n = 0;
  const { rate, units, cpuSeconds } = await unitsPerSecond(
    async () => {
      for (let i = 0; i < PER_STEP; i++) await dispatch(n++);
      return PER_STEP;
    },
    context.quick ? { warmupMs: 100, durationMs: 300 } : { warmupMs: 300, durationMs: 1500 },
  );
  return {
    value: rate,
    // CPU ns per dispatch: the steadier figure on a shared machine (a descheduled process burns none).
    extra: { nsPerOp: 1e9 / rate, cpuNsPerOp: (cpuSeconds * 1e9) / units },
    detail: `${units.toLocaleString('en-US')} dispatches`,
  };
}

/** The trivial command every bus dispatches. */
export class PingCommandPayload {
  @IsString()
  readonly orderId: string;

  @IsInt()
  @Min(0)
  readonly n: number;

  constructor(orderId: string, n: number) {
    this.orderId = orderId;
    this.n = n;
  }
}

/** The bare floor: a `Map` lookup by class and an awaited handler call. */
export async function mapFloor(context: BenchContext): Promise<Measurement> {
  @Injectable()
  class Handler {
    async execute(message: PingCommandPayload): Promise<number> {
      return message.n;
    }
  }
  const handlers = new Map<unknown, Handler>([[PingCommandPayload, new Handler()]]);
  return dispatchRate(context, (i) => {
    const message = new PingCommandPayload('order-1', i);
    return handlers.get(message.constructor)!.execute(message);
  });
}

/**
 * What any exactly timed dispatch with a time limit costs at least, in plain
 * code: the `Map` floor, two `performance.now()` readings (start, and when the
 * handler's promise settles) with a bucket count, a promise of its own that a
 * deadline could reject while the handler's is pending, and an entry linked into
 * a deadline list until it settles. No validation, no context for the handler.
 */
export async function timedLimitFloor(context: BenchContext): Promise<Measurement> {
  const { performance } = await import('node:perf_hooks');
  class Handler {
    async execute(message: PingCommandPayload): Promise<number> {
      return message.n;
    }
  }
  interface Entry {
    prev: Entry | null;
    next: Entry | null;
    resolve: (value: unknown) => void;
    reject: (error: unknown) => void;
  }
  const handlers = new Map<unknown, Handler>([[PingCommandPayload, new Handler()]]);
  const buckets = new Float64Array(18);
  let tail: Entry | null = null;
  const noop = () => undefined;
  return dispatchRate(context, (i) => {
    const message = new PingCommandPayload('order-1', i);
    const startedAt = performance.now();
    const entry: Entry = { prev: tail, next: null, resolve: noop, reject: noop };
    const promise = new Promise((resolve, reject) => {
      entry.resolve = resolve;
      entry.reject = reject;
    });
    if (tail !== null) tail.next = entry;
    tail = entry;
    const end = () => {
      if (entry.prev !== null) entry.prev.next = entry.next;
      if (entry.next !== null) entry.next.prev = entry.prev;
      else tail = entry.prev;
      entry.prev = entry.next = null;
      const seconds = (performance.now() - startedAt) / 1000;
      buckets[seconds <= 0.00005 ? 0 : 17] += 1;
    };
    handlers
      .get(message.constructor)!
      .execute(message)
      .then(
        (value) => {
          end();
          entry.resolve(value);
        },
        (error: unknown) => {
          end();
          entry.reject(error);
        },
      );
    return promise;
  });
}

/** `@nestjs/cqrs` 11: CommandBus.execute / QueryBus.execute with a trivial handler. */
export async function nestjsCqrs(
  context: BenchContext,
  kind: 'command' | 'query',
): Promise<Measurement> {
  const cqrs = await import('@nestjs/cqrs');
  class Ping {
    constructor(
      readonly orderId: string,
      readonly n: number,
    ) {}
  }
  const decorator = kind === 'command' ? cqrs.CommandHandler(Ping) : cqrs.QueryHandler(Ping);
  @decorator
  class PingHandler {
    async execute(message: Ping): Promise<number> {
      return message.n;
    }
  }
  const app: INestApplicationContext = await bootApp([
    {
      module: class NestCqrsFeature {},
      imports: [cqrs.CqrsModule.forRoot()],
      providers: [PingHandler],
    },
  ]);
  if (kind === 'command') {
    const bus = app.get(cqrs.CommandBus);
    return dispatchRate(context, (i) => bus.execute(new Ping('order-1', i)));
  }
  const bus = app.get(cqrs.QueryBus);
  return dispatchRate(context, (i) => bus.execute(new Ping('order-1', i)));
}

/**
 * Native versus TypeScript for routing: the same floor, but the route comes
 * from the Rust `NativeRouteTable` (one crossing per dispatch) instead of a Map.
 */
export async function nativeRouteFloor(context: BenchContext): Promise<Measurement> {
  const { native } = lazyRequire<typeof import('@cello/core/internal')>('@cello/core/internal');
  class Handler {
    async execute(message: PingCommandPayload): Promise<number> {
      return message.n;
    }
  }
  const table = new native.NativeRouteTable([
    {
      typeId: 0,
      message: 'PingCommandPayload',
      handler: 'Handler',
      middleware: [],
      timeoutMs: 0,
      validate: false,
    },
  ]);
  const handlers = [new Handler()];
  const typeIds = new WeakMap<object, number>([[PingCommandPayload, 0]]);
  return dispatchRate(context, (i) => {
    const message = new PingCommandPayload('order-1', i);
    return handlers[table.lookup(typeIds.get(message.constructor)!)].execute(message);
  });
}
