/**
 * The dispatch subjects of the CQRS micro-benchmark: each builds one bus (or
 * the bare floor) and returns a `dispatch()` that sends one trivial message.
 */
import 'reflect-metadata';
import { performance } from 'node:perf_hooks';
import { Injectable, type INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import * as nestCqrs from '@nestjs/cqrs';
import { IsInt, IsString, Min } from 'class-validator';
import { CelloMetricsModule } from '@cello/core';
import { enableMessageContext, native } from '@cello/core/internal';
import { Registry } from 'prom-client';
import {
  Command,
  CommandBus,
  CommandHandler,
  CqrsModule,
  Query,
  QueryBus,
  QueryHandler,
  type CqrsModuleOptions,
} from '@cello/cqrs';

export type Dispatch = () => Promise<unknown>;

// ---- cello messages and handlers ------------------------------------------------------------

class PlaceOrder extends Command<number> {
  constructor(readonly value: number) {
    super();
  }
}

class ValidatedPlaceOrder extends Command<number> {
  @IsString() readonly customerId: string;
  @IsInt() @Min(0) readonly value: number;
  constructor(value: number) {
    super();
    this.customerId = 'c-1';
    this.value = value;
  }
}

class GetOrder extends Query<number> {
  constructor(readonly value: number) {
    super();
  }
}

@CommandHandler(PlaceOrder)
class PlaceOrderHandler {
  async execute(command: PlaceOrder): Promise<number> {
    return command.value;
  }
}

@CommandHandler(ValidatedPlaceOrder)
class ValidatedPlaceOrderHandler {
  async execute(command: ValidatedPlaceOrder): Promise<number> {
    return command.value;
  }
}

@QueryHandler(GetOrder)
class GetOrderHandler {
  async execute(query: GetOrder): Promise<number> {
    return query.value;
  }
}

// ---- @nestjs/cqrs messages and handlers -----------------------------------------------------

class NestPlaceOrder {
  constructor(readonly value: number) {}
}
class NestGetOrder {
  constructor(readonly value: number) {}
}

@nestCqrs.CommandHandler(NestPlaceOrder)
@Injectable()
class NestPlaceOrderHandler {
  async execute(command: NestPlaceOrder): Promise<number> {
    return command.value;
  }
}

@nestCqrs.QueryHandler(NestGetOrder)
@Injectable()
class NestGetOrderHandler {
  async execute(query: NestGetOrder): Promise<number> {
    return query.value;
  }
}

async function celloApp(options: CqrsModuleOptions, metrics = false): Promise<INestApplication> {
  const moduleRef = await Test.createTestingModule({
    imports: [
      CqrsModule.forRoot(options),
      ...(metrics ? [CelloMetricsModule.forRoot({ registry: new Registry() })] : []),
    ],
    providers: [PlaceOrderHandler, ValidatedPlaceOrderHandler, GetOrderHandler],
  }).compile();
  return moduleRef.createNestApplication({ logger: false }).init();
}

let sequence = 0;

/** Subject name -> factory of its dispatch function. */
export const subjects: Record<string, () => Promise<Dispatch>> = {
  /** The floor: a Map lookup by class and a call of the handler. */
  'bare-map': async () => {
    const handler = new PlaceOrderHandler();
    const routes = new Map<unknown, PlaceOrderHandler>([[PlaceOrder, handler]]);
    return () => {
      const command = new PlaceOrder(sequence++);
      return routes.get(command.constructor)!.execute(command);
    };
  },
  /**
   * The floor plus what timing each dispatch costs at least: two clock readings
   * (start, and when the handler's promise settles) and a bucket count.
   */
  'bare-map-timed': async () => {
    const handler = new PlaceOrderHandler();
    const routes = new Map<unknown, PlaceOrderHandler>([[PlaceOrder, handler]]);
    const buckets = new Float64Array(18);
    return () => {
      const command = new PlaceOrder(sequence++);
      const startedAt = performance.now();
      return routes
        .get(command.constructor)!
        .execute(command)
        .then((value) => {
          const seconds = (performance.now() - startedAt) / 1000;
          buckets[seconds <= 0.00005 ? 0 : 17] += 1;
          return value;
        });
    };
  },
  /**
   * What a timed dispatch with a time limit costs at least: the floor, two clock
   * readings, a promise of its own the deadline could reject, an entry linked
   * into a deadline list while pending, and a `then` on the handler's promise.
   */
  'bare-map-timed-limit': async () => {
    const handler = new PlaceOrderHandler();
    const routes = new Map<unknown, PlaceOrderHandler>([[PlaceOrder, handler]]);
    const buckets = new Float64Array(18);
    type Entry = {
      prev: Entry | null;
      next: Entry | null;
      resolve: (v: unknown) => void;
      reject: (e: unknown) => void;
    };
    let tail: Entry | null = null;
    return () => {
      const command = new PlaceOrder(sequence++);
      const startedAt = performance.now();
      const entry: Entry = { prev: tail, next: null, resolve: () => {}, reject: () => {} };
      const promise = new Promise((resolve, reject) => {
        entry.resolve = resolve;
        entry.reject = reject;
      });
      if (tail !== null) tail.next = entry;
      tail = entry;
      const unlink = () => {
        if (entry.prev !== null) entry.prev.next = entry.next;
        if (entry.next !== null) entry.next.prev = entry.prev;
        else tail = entry.prev;
        entry.prev = entry.next = null;
        const seconds = (performance.now() - startedAt) / 1000;
        buckets[seconds <= 0.00005 ? 0 : 17] += 1;
      };
      routes
        .get(command.constructor)!
        .execute(command)
        .then(
          (value) => {
            unlink();
            entry.resolve(value);
          },
          (error: unknown) => {
            unlink();
            entry.reject(error);
          },
        );
      return promise;
    };
  },
  /** The same, with the route found by the Rust route table (one boundary crossing per dispatch). */
  'native-route-table': async () => {
    const handlers = [new PlaceOrderHandler()];
    const table = new native.NativeRouteTable([
      {
        typeId: 0,
        message: 'PlaceOrder',
        handler: 'PlaceOrderHandler',
        middleware: [],
        timeoutMs: 0,
        validate: false,
      },
    ]);
    const typeIds = new Map<unknown, number>([[PlaceOrder, 0]]);
    return () => {
      const command = new PlaceOrder(sequence++);
      const route = table.lookup(typeIds.get(command.constructor)!);
      return handlers[route].execute(command);
    };
  },
  'nestjs-cqrs-command': async () => {
    const moduleRef = await Test.createTestingModule({
      imports: [nestCqrs.CqrsModule.forRoot()],
      providers: [NestPlaceOrderHandler, NestGetOrderHandler],
    }).compile();
    const app = await moduleRef.createNestApplication({ logger: false }).init();
    const bus = app.get(nestCqrs.CommandBus);
    return () => bus.execute(new NestPlaceOrder(sequence++));
  },
  'nestjs-cqrs-query': async () => {
    const moduleRef = await Test.createTestingModule({
      imports: [nestCqrs.CqrsModule.forRoot()],
      providers: [NestPlaceOrderHandler, NestGetOrderHandler],
    }).compile();
    const app = await moduleRef.createNestApplication({ logger: false }).init();
    const bus = app.get(nestCqrs.QueryBus);
    return () => bus.execute(new NestGetOrder(sequence++));
  },
  /** Defaults: the 30 s command limit is on. */
  'cello-command': async () => {
    const bus = (await celloApp({})).get(CommandBus);
    return () => bus.dispatch(new PlaceOrder(sequence++));
  },
  'cello-command-no-timeout': async () => {
    const bus = (await celloApp({ commandTimeout: 0 })).get(CommandBus);
    return () => bus.dispatch(new PlaceOrder(sequence++));
  },
  /**
   * As `cello-command-no-timeout`, with the message context on (as in an app
   * with the event store): each dispatch runs in its correlation context.
   */
  'cello-command-correlated': async () => {
    enableMessageContext();
    const bus = (await celloApp({ commandTimeout: 0 })).get(CommandBus);
    return () => bus.dispatch(new PlaceOrder(sequence++));
  },
  /** Validation (2 fields, 3 constraints) and the 30 s time limit. */
  'cello-command-validated': async () => {
    const bus = (await celloApp({})).get(CommandBus);
    return () => bus.dispatch(new ValidatedPlaceOrder(sequence++));
  },
  /** Validation (2 fields, 3 constraints), Prometheus metrics and the 30 s time limit. */
  'cello-command-full': async () => {
    const bus = (await celloApp({}, true)).get(CommandBus);
    return () => bus.dispatch(new ValidatedPlaceOrder(sequence++));
  },
  /** Prometheus metrics only (no limit, no validation): the handler's promise, timed. */
  'cello-command-metrics': async () => {
    const bus = (await celloApp({ commandTimeout: 0 }, true)).get(CommandBus);
    return () => bus.dispatch(new PlaceOrder(sequence++));
  },
  /** Prometheus metrics and the 30 s limit, no validation. */
  'cello-command-metrics-limit': async () => {
    const bus = (await celloApp({}, true)).get(CommandBus);
    return () => bus.dispatch(new PlaceOrder(sequence++));
  },
  /** Defaults: the 10 s query limit is on. */
  'cello-query': async () => {
    const bus = (await celloApp({})).get(QueryBus);
    return () => bus.dispatch(new GetOrder(sequence++));
  },
  'cello-query-no-timeout': async () => {
    const bus = (await celloApp({ queryTimeout: 0 })).get(QueryBus);
    return () => bus.dispatch(new GetOrder(sequence++));
  },
};
