/**
 * One relay in a child process, for the crash, restart and two-instance tests:
 * EventSourcingModule on DATABASE_URL and RelayModule (ParcelScanned) on NATS_URL,
 * RELAY_STREAM, RELAY_PREFIX, with short leases so a killed relay is replaced
 * quickly. Prints `ready <pid>` once booted.
 * Usage: node -r scripts/register-ts.js test/relay/support/relay-instance.ts
 */
import 'reflect-metadata';
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { EventSourcingModule } from '@cello/event-sourcing';
import { RelayModule } from '@cello/relay';
import { ParcelScanned, ParcelWeighed } from './relay-fixtures';

async function main(): Promise<void> {
  const env = process.env;
  @Module({
    imports: [
      EventSourcingModule.forRoot({
        storage: env.DATABASE_URL!,
        events: [ParcelScanned, ParcelWeighed],
        subscriptions: { leaseTtlMs: 1500, pollIntervalMs: 100 },
      }),
      RelayModule.forRoot({
        servers: env.NATS_URL!,
        stream: env.RELAY_STREAM,
        subjectPrefix: env.RELAY_PREFIX,
        events: [ParcelScanned],
        batchSize: Number(env.RELAY_BATCH_SIZE ?? 50),
        retryDelayMs: 50,
        maxRetryDelayMs: 500,
        publishTimeoutMs: 2000,
      }),
    ],
  })
  class RelayInstanceModule {}
  const app = await NestFactory.createApplicationContext(RelayInstanceModule, {
    logger: ['error', 'warn', 'log'],
  });
  await app.init();
  app.enableShutdownHooks();
  process.stdout.write(`ready ${process.pid}\n`);
}

void main().catch((error: unknown) => {
  process.stderr.write(`relay instance failed: ${String(error)}\n`);
  process.exit(1);
});
