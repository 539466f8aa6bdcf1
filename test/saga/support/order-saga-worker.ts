/**
 * A child process for crash tests: boots a Nest app with SagaModule on the
 * test database. `start <count>` starts sagas (every third refused at
 * shipping) and keeps running until killed; `recover` waits until no saga is
 * unfinished, then prints the sagas this instance recovered and exits.
 * Usage: node -r ./scripts/register-ts.js order-saga-worker.ts <url> <instanceId> start|recover [count]
 */
import 'reflect-metadata';
import { Logger, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Pool } from 'pg';
import { SagaModule, SagaRunner } from '@cello/saga';
import { FakeOrderServices } from '../fixtures/fake-order-services';
import { OrderSaga, orderContext } from '../fixtures/order-saga.fixture';

const [url, instanceId, mode, count = '0'] = process.argv.slice(2);

function appModule(services: FakeOrderServices) {
  @Module({
    imports: [
      SagaModule.forRoot({
        storage: url,
        instanceId,
        // The crashing process's leases lapse fast; recoverers hold theirs long
        // enough that a CPU-starved test machine does not trigger takeovers.
        leaseTtl: mode === 'start' ? 1 : 10,
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

async function unfinished(pool: Pool): Promise<number> {
  const { rows } = await pool.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM cello_saga_instances WHERE status IN ('running', 'compensating')`,
  );
  return rows[0].n;
}

async function main(): Promise<void> {
  const services = new FakeOrderServices(url);
  services.failures = { delayMs: 150 };
  const recovered: string[] = [];
  // Record which sagas this instance took over, from the runner's own log line.
  const log = Logger.prototype.log;
  Logger.prototype.log = function (message: unknown, ...rest: unknown[]) {
    const match = /^Recovering saga (\S+)/.exec(String(message));
    if (match) recovered.push(match[1]);
    return log.call(this, message, ...(rest as []));
  };
  const app = await NestFactory.createApplicationContext(appModule(services), {
    logger: ['error', 'warn', 'log'],
  });
  app.enableShutdownHooks();
  const runner = app.get(SagaRunner);

  if (mode === 'start') {
    for (let i = 0; i < Number(count); i += 1) {
      const context = { ...orderContext(`${instanceId}-${i}`) };
      if (i % 3 === 2) context.refuse = 'create_shipment';
      const id = await runner.start(OrderSaga, context);
      process.stdout.write(`started ${id}\n`);
    }
    return; // runs until the parent kills it
  }

  const pool = new Pool({ connectionString: url, max: 1 });
  while ((await unfinished(pool)) > 0) await new Promise((r) => setTimeout(r, 100));
  await pool.end();
  await app.close();
  await services.close();
  process.stdout.write(`${JSON.stringify({ recovered })}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`worker failed: ${String((error as Error)?.stack ?? error)}\n`);
  process.exit(1);
});
