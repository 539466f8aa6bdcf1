/**
 * Completed 3-step sagas per second on PostgreSQL, 16 sagas in flight, with
 * and without coalesced state writes (issue 8's target: >= 600/s).
 * Run: node -r ./scripts/register-ts.js bench/saga/saga-throughput.ts [seconds] [concurrency]
 * Needs PostgreSQL at CELLO_BENCH_PG_ADMIN_URL (default postgres://cello:cello@127.0.0.1:5432/postgres).
 */
import 'reflect-metadata';
import { Injectable, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Saga, SagaModule, SagaRunner, SagaStep } from '@cello/saga';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { createBenchDatabase } = require('../support/database') as {
  createBenchDatabase(
    adminUrl: string,
    label: string,
  ): Promise<{ url: string; drop(): Promise<void>; checkpoint(): Promise<void> }>;
};

@Injectable()
class ThreeStepSaga extends Saga {
  steps = ['reserve', 'charge', 'ship'].map(
    (name) =>
      new SagaStep<Record<string, unknown>>({
        name,
        action: ({ context, idempotencyKey }) => {
          context[name] = idempotencyKey;
        },
        compensate: () => undefined,
      }),
  );
}

interface Subject {
  name: string;
  coalesceWrites: boolean;
  synchronousCommit: boolean;
}

const SUBJECTS: Subject[] = [
  { name: 'coalesced', coalesceWrites: true, synchronousCommit: true },
  { name: 'one statement per write', coalesceWrites: false, synchronousCommit: true },
  { name: 'coalesced, synchronousCommit: false', coalesceWrites: true, synchronousCommit: false },
];

async function measure(url: string, subject: Subject, seconds: number, concurrency: number) {
  const { coalesceWrites, synchronousCommit } = subject;
  @Module({
    imports: [
      SagaModule.forRoot({
        storage: process.env.SAGA_BENCH_MEMORY ? 'memory' : url,
        coalesceWrites,
        synchronousCommit,
        poolSize: 10,
        recovery: false,
      }),
    ],
    providers: [ThreeStepSaga],
  })
  class BenchModule {}
  const app = await NestFactory.createApplicationContext(BenchModule, { logger: ['error'] });
  const runner = app.get(SagaRunner);
  for (let i = 0; i < 50; i += 1) await runner.execute(ThreeStepSaga, { warm: i });
  let completed = 0;
  const end = Date.now() + seconds * 1000;
  const start = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (Date.now() < end) {
        const result = await runner.execute(ThreeStepSaga, { n: completed });
        if (!result.success) throw new Error(`saga failed: ${String(result.error)}`);
        completed += 1;
      }
    }),
  );
  const elapsed = Number(process.hrtime.bigint() - start) / 1e9;
  await app.close();
  return completed / elapsed;
}

async function main() {
  const seconds = Number(process.argv[2] ?? 5);
  const concurrency = Number(process.argv[3] ?? 16);
  const admin =
    process.env.CELLO_BENCH_PG_ADMIN_URL ?? 'postgres://cello:cello@127.0.0.1:5432/postgres';
  const results: Record<string, number[]> = Object.fromEntries(SUBJECTS.map((x) => [x.name, []]));
  for (let run = 0; run < 3; run += 1) {
    // Alternate the order so that no subject always runs first.
    for (const subject of run % 2 === 0 ? SUBJECTS : [...SUBJECTS].reverse()) {
      const db = await createBenchDatabase(admin, 'saga_throughput');
      try {
        await db.checkpoint();
        const rate = await measure(db.url, subject, seconds, concurrency);
        results[subject.name].push(rate);
        console.log(`run ${run + 1} ${subject.name}: ${rate.toFixed(0)} sagas/s`);
      } finally {
        await db.drop();
      }
    }
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  console.log(
    JSON.stringify({
      concurrency,
      seconds,
      steps: 3,
      medianSagasPerSecond: Object.fromEntries(
        Object.entries(results).map(([k, v]) => [k, Math.round(median(v))]),
      ),
    }),
  );
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
