/**
 * One demo instance in a child process, for the crash and many-instance tests:
 * configured from the environment as `apps/demo/src/main.ts` does
 * (DATABASE_URL, DEMO_STEP_DELAY_MS, DEMO_TRANSIENT_FAILURE_RATE), with short
 * saga leases and recovery scans so a killed instance's sagas are taken over
 * quickly. Listens on a free port and prints `listening <port> <pid>`.
 * Usage: node -r scripts/register-ts.js test/reliability/support/demo-instance.ts
 */
import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { AppModule } from '../../../apps/demo/src/app.module';
import { DemoConfig } from '../../../apps/demo/src/config/demo-config';

async function main(): Promise<void> {
  const config = DemoConfig.fromEnv(process.env, {
    saga: {
      // Enough retries that transient failures and repeated interruptions still finish.
      maxRetries: 6,
      retryDelaySeconds: 0.01,
      timeoutSeconds: 600,
      // CELLO_TEST_SAGA_LEASE_S: longer for many instances on a loaded machine, so a live
      // recoverer never loses a saga it drives to a missed renewal.
      leaseTtlSeconds: Number(process.env.CELLO_TEST_SAGA_LEASE_S ?? 1),
      recoveryIntervalSeconds: 0.2,
    },
  });
  const app = await NestFactory.create(AppModule.forRoot(config), {
    // 'log' too: the tests read which instance runs each subscriber ("runs here ... fencing token").
    logger: ['error', 'warn', 'log'],
  });
  await app.listen(0, '127.0.0.1');
  const address = app.getHttpServer().address() as { port: number };
  process.stdout.write(`listening ${address.port} ${process.pid}\n`);
}

void main();
