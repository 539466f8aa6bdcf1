/**
 * The demo in a child process, for crash tests: configured from the
 * environment as `main.ts` does (DATABASE_URL, DEMO_STEP_DELAY_MS, ...), with
 * short saga leases so a killed process's sagas are taken over quickly.
 * Listens on a free port and prints `listening <port>`.
 * Usage: node -r scripts/register-ts.js test/e2e/support/demo-worker.ts
 */
import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { AppModule } from '../../../apps/demo/src/app.module';
import { DemoConfig } from '../../../apps/demo/src/config/demo-config';

async function main(): Promise<void> {
  const config = DemoConfig.fromEnv(process.env, {
    saga: {
      maxRetries: 3,
      retryDelaySeconds: 0.01,
      timeoutSeconds: 120,
      leaseTtlSeconds: 1,
      recoveryIntervalSeconds: 0.2,
    },
  });
  const app = await NestFactory.create(AppModule.forRoot(config), { logger: ['error', 'warn'] });
  await app.listen(0, '127.0.0.1');
  const address = app.getHttpServer().address() as { port: number };
  process.stdout.write(`listening ${address.port}\n`);
}

void main();
