/**
 * A child process for the MySQL saga crash test: SagaModule with its state in
 * MySQL, the fake services' ledger in PostgreSQL (the shared fixture).
 * `start <count>` starts sagas (every third refused at shipping) and runs
 * until killed; `recover` waits until no saga is unfinished, then prints the
 * sagas this instance recovered and exits.
 * Usage: node -r ./scripts/register-ts.js mysql-saga-worker.ts <mysqlUrl> <pgUrl> <instanceId> start|recover [count]
 */
import 'reflect-metadata';
import { Logger, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { createConnection } from 'mysql2/promise';
import { SagaModule, SagaRunner } from '@cello/saga';
import { FakeOrderServices } from '../../saga/fixtures/fake-order-services';
import { OrderSaga, orderContext } from '../../saga/fixtures/order-saga.fixture';

const [mysqlUrl, pgUrl, instanceId, mode, count = '0'] = process.argv.slice(2);

function appModule(services: FakeOrderServices) {
  @Module({
    imports: [
      SagaModule.forRoot({
        storage: mysqlUrl,
        instanceId,
        // The crashing process's leases lapse fast; recoverers hold theirs long.
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

async function main(): Promise<void> {
  const services = new FakeOrderServices(pgUrl);
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

  const connection = await createConnection({ uri: mysqlUrl });
  const unfinished = async () => {
    const [rows] = await connection.query(
      "SELECT COUNT(*) AS n FROM cello_saga_instances WHERE status IN ('running', 'compensating')",
    );
    return Number((rows as { n: string }[])[0].n);
  };
  while ((await unfinished()) > 0) await new Promise((r) => setTimeout(r, 100));
  await connection.end();
  await app.close();
  await services.close();
  process.stdout.write(`${JSON.stringify({ recovered })}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`worker failed: ${String((error as Error)?.stack ?? error)}\n`);
  process.exit(1);
});
