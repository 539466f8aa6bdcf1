import 'reflect-metadata';
import { Logger, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { SagaModule, SagaRunner } from '@cello/saga';
import { FakeOrderServices } from '../fixtures/fake-order-services';
import { OrderSaga, orderContext } from '../fixtures/order-saga.fixture';

/** Counts the sagas still running or compensating in the worker's saga storage. */
export interface UnfinishedSagaCounter {
  count(): Promise<number>;
  close(): Promise<void>;
}

/** What a crash-test worker child runs with (from its command line). */
export interface OrderSagaWorkerOptions {
  /** The saga storage URL (PostgreSQL or MySQL). */
  readonly storage: string;
  /** The PostgreSQL URL of the fake services' ledger. */
  readonly ledgerUrl: string;
  readonly instanceId: string;
  /** `start` starts `count` sagas and runs until killed; `recover` waits for all to finish. */
  readonly mode: string;
  readonly count: string;
  /** Seconds of the saga leases. Default: 1 for `start` (a crashing process), 10 for `recover`. */
  readonly leaseTtl?: number;
  /** Opens a counter of unfinished sagas on the saga storage (used by `recover`). */
  readonly openCounter: () => Promise<UnfinishedSagaCounter>;
}

function appModule(options: OrderSagaWorkerOptions, services: FakeOrderServices) {
  @Module({
    imports: [
      SagaModule.forRoot({
        storage: options.storage,
        instanceId: options.instanceId,
        // The crashing process's leases lapse fast; recoverers hold theirs long
        // enough that a CPU-starved test machine does not trigger takeovers.
        leaseTtl: options.leaseTtl ?? (options.mode === 'start' ? 1 : 10),
        recoveryInterval: 0.2,
        recoveryBatchSize: 5,
        retryDelay: 0.05,
        poolSize: 4,
      }),
    ],
    providers: [OrderSaga, { provide: FakeOrderServices, useValue: services }],
  })
  class WorkerModule {}
  return WorkerModule;
}

async function main(options: OrderSagaWorkerOptions): Promise<void> {
  const services = new FakeOrderServices(options.ledgerUrl);
  services.failures = { delayMs: 150 };
  const recovered: string[] = [];
  // Record which sagas this instance took over, from the runner's own log line.
  const log = Logger.prototype.log;
  Logger.prototype.log = function (message: unknown, ...rest: unknown[]) {
    const match = /^Recovering saga (\S+)/.exec(String(message));
    if (match) recovered.push(match[1]);
    return log.call(this, message, ...(rest as []));
  };
  const app = await NestFactory.createApplicationContext(appModule(options, services), {
    logger: ['error', 'warn', 'log'],
  });
  app.enableShutdownHooks();
  const runner = app.get(SagaRunner);

  if (options.mode === 'start') {
    for (let i = 0; i < Number(options.count); i += 1) {
      const context = { ...orderContext(`${options.instanceId}-${i}`) };
      if (i % 3 === 2) context.refuse = 'create_shipment';
      const id = await runner.start(OrderSaga, context);
      process.stdout.write(`started ${id}\n`);
    }
    return; // runs until the parent kills it
  }

  const unfinished = await options.openCounter();
  while ((await unfinished.count()) > 0) await new Promise((r) => setTimeout(r, 100));
  await unfinished.close();
  await app.close();
  await services.close();
  process.stdout.write(`${JSON.stringify({ recovered })}\n`);
}

/**
 * Runs a crash-test worker: SagaModule on `storage`, the fake services' ledger in
 * PostgreSQL. `start` starts sagas (every third refused at shipping) and keeps running
 * until killed; `recover` waits until no saga is unfinished, then prints the sagas this
 * instance recovered and exits.
 */
export function runOrderSagaWorker(options: OrderSagaWorkerOptions): void {
  main(options).catch((error: unknown) => {
    process.stderr.write(`worker failed: ${String((error as Error)?.stack ?? error)}\n`);
    process.exit(1);
  });
}
