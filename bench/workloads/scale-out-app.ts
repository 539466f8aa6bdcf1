/**
 * One app process of the `scale-out` workload, forked by `scale-out-cello.ts`
 * (`node -r scripts/register-ts.js scale-out-app.ts <databaseUrl> <workers>`):
 * boots Cello's event store and saga runner on the shared database, and when
 * told to, runs `workers` concurrent loops of the demo's unit of work (append
 * an `OrderPlaced` to a new stream, then run a 3-step saga for that order).
 *
 * Messages: sends `{ ready }` once booted; on `{ start: { warmupUntil, until } }`
 * (epoch ms, shared by every app process) runs unmeasured until `warmupUntil`,
 * measured until `until`, then sends `{ done }` with its counts, its latency
 * samples and its CPU time; exits on `{ exit }` or when the parent goes away.
 */
import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import { EventSourcingModule, EventStore } from '@cello/event-sourcing';
import { SagaModule, SagaRunner } from '@cello/saga';
import { bootApp } from '../support/boot-app';
import { OrderBook, OrderPlaced, orderPlaced } from '../support/cello-fixtures';
import { BenchOrderSaga } from './saga-cello';

/** Connections per pool (events, sagas): 4 processes stay well under max_connections = 100. */
const POOL_SIZE = 6;

export interface ScaleOutStart {
  readonly warmupUntil: number;
  readonly until: number;
}

export interface ScaleOutDone {
  readonly units: number;
  readonly seconds: number;
  /** Duration of every measured unit, in nanoseconds. */
  readonly latenciesNs: number[];
  /** CPU time (user + system) this process used in the measured part. */
  readonly cpuSeconds: number;
}

function send(message: object): Promise<void> {
  return new Promise((resolve, reject) =>
    process.send!(message, undefined, {}, (error) => (error ? reject(error) : resolve())),
  );
}

const sleepUntil = (epochMs: number): Promise<void> =>
  new Promise((resolve) => setTimeout(resolve, Math.max(0, epochMs - Date.now())));

async function main(): Promise<void> {
  const [databaseUrl, workersText] = process.argv.slice(2);
  const workers = Number(workersText);
  const app = await bootApp([
    EventSourcingModule.forRoot({ storage: databaseUrl, snapshotInterval: 0, poolSize: POOL_SIZE }),
    EventSourcingModule.forFeature({ aggregates: [OrderBook], events: [OrderPlaced] }),
    SagaModule.forRoot({ storage: databaseUrl, poolSize: POOL_SIZE }),
    { module: class ScaleOutSagaFeature {}, providers: [BenchOrderSaga] },
  ]);
  const store = app.get(EventStore);
  const runner = app.get(SagaRunner);

  const unit = async (): Promise<void> => {
    const orderId = randomUUID();
    await store.append(orderId, [orderPlaced(orderId, 1)], { expectedVersion: 0 });
    const outcome = await runner.execute(BenchOrderSaga, { orderId });
    if (!outcome.success) throw new Error(`saga ${outcome.sagaId} ended ${outcome.status}`);
  };

  const run = async ({ warmupUntil, until }: ScaleOutStart): Promise<ScaleOutDone> => {
    const latenciesNs: number[] = [];
    const loop = async (): Promise<number> => {
      while (Date.now() < warmupUntil) await unit();
      let units = 0;
      while (Date.now() < until) {
        const started = process.hrtime.bigint();
        await unit();
        latenciesNs.push(Number(process.hrtime.bigint() - started));
        units++;
      }
      return units;
    };
    // Every process starts its measured part at the same wall-clock instant.
    const measured = sleepUntil(warmupUntil).then(() => ({
      cpu: process.cpuUsage(),
      at: process.hrtime.bigint(),
    }));
    const counts = await Promise.all(Array.from({ length: workers }, loop));
    const { cpu, at } = await measured;
    const cpuUsed = process.cpuUsage(cpu);
    return {
      units: counts.reduce((a, b) => a + b, 0),
      seconds: Number(process.hrtime.bigint() - at) / 1e9,
      latenciesNs,
      cpuSeconds: (cpuUsed.user + cpuUsed.system) / 1e6,
    };
  };

  process.on('message', (message: { start?: ScaleOutStart; exit?: true }) => {
    if (message.start) {
      run(message.start).then(
        (done) => send({ done }),
        (error: unknown) => send({ error: error instanceof Error ? error.stack : String(error) }),
      );
    } else if (message.exit) {
      app.close().finally(() => process.exit(0));
    }
  });
  await send({ ready: true });
}

// Never outlive the measurement that forked this process.
process.on('disconnect', () => process.exit(0));
main().catch(async (error: unknown) => {
  await send({ error: error instanceof Error ? error.stack : String(error) }).catch(
    () => undefined,
  );
  process.exit(1);
});
