import 'reflect-metadata';
import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { Saga, SagaModule, SagaRunner, SagaStep, type SagaStepExecution } from '@cello/saga';
import { bootApp } from '../support/boot-app';
import { LatencyRecorder } from '../support/latency-recorder';
import { concurrentUnitsPerSecond } from '../support/timing';
import type { BenchContext, Measurement } from '../support/workload';

type Context = { orderId: string; reserved?: boolean; charged?: boolean; shipped?: boolean };
type Step = SagaStepExecution<Context>;

/** Three trivial steps with compensations: what is measured is the saga machinery and its state writes. */
@Saga('BenchOrderSaga')
@Injectable()
export class BenchOrderSaga {
  @SagaStep({ name: 'reserve_inventory', compensate: 'release' })
  async reserve({ context }: Step): Promise<void> {
    context.reserved = true;
  }

  async release({ context }: Step): Promise<void> {
    context.reserved = false;
  }

  @SagaStep({ name: 'process_payment', compensate: 'refund' })
  async charge({ context }: Step): Promise<void> {
    context.charged = true;
  }

  async refund({ context }: Step): Promise<void> {
    context.charged = false;
  }

  @SagaStep({ name: 'ship_order', compensate: 'cancel' })
  async ship({ context }: Step): Promise<void> {
    context.shipped = true;
  }

  async cancel({ context }: Step): Promise<void> {
    context.shipped = false;
  }
}

/** 16 concurrent callers of `SagaRunner.execute`, state in PostgreSQL; completed sagas/s. */
export async function celloSagas(
  context: BenchContext,
  { synchronousCommit = true }: { synchronousCommit?: boolean } = {},
): Promise<Measurement> {
  const app = await bootApp([
    SagaModule.forRoot({ storage: context.databaseUrl, synchronousCommit }),
    { module: class BenchSagaFeature {}, providers: [BenchOrderSaga] },
  ]);
  const runner = app.get(SagaRunner);
  await context.checkpoint();
  const latency = new LatencyRecorder();
  const result = await concurrentUnitsPerSecond(
    16,
    async () => {
      const outcome = await runner.execute(BenchOrderSaga, { orderId: randomUUID() });
      if (!outcome.success) throw new Error(`saga ${outcome.sagaId} ended ${outcome.status}`);
      return 1;
    },
    {
      ...(context.quick ? { warmupMs: 200, durationMs: 800 } : { warmupMs: 500, durationMs: 2500 }),
      latency,
    },
  );
  await app.close();
  return {
    value: result.rate,
    extra: latency.summary(),
    detail: `${result.units.toLocaleString('en-US')} sagas of 3 steps, 16 concurrent${synchronousCommit ? '' : ', synchronousCommit: false'}`,
  };
}
