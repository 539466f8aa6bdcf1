import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { Pool } from 'pg';
import { lazyRequire } from '../support/lazy-require';
import { LatencyRecorder } from '../support/latency-recorder';
import { concurrentUnitsPerSecond } from '../support/timing';
import type { BenchContext, Measurement, WorkloadDefinition } from '../support/workload';

type SagaCello = typeof import('./saga-cello');

/**
 * What a hand-written saga log costs with one commit per transition: insert
 * the saga row, one update per completed step (the last also marks it
 * completed), 16 callers over 16 connections. A reference, not a ceiling:
 * coalescing transitions can beat it.
 */
async function rawSagaLog(context: BenchContext): Promise<Measurement> {
  const pool = new Pool({ connectionString: context.databaseUrl, max: 16 });
  await pool.query(`CREATE TABLE saga_log (
    saga_id uuid PRIMARY KEY, status text NOT NULL, step integer NOT NULL,
    context jsonb NOT NULL, updated_at timestamptz NOT NULL DEFAULT now())`);
  await context.checkpoint();
  const insert = {
    name: 'saga-insert',
    text: `INSERT INTO saga_log (saga_id, status, step, context) VALUES ($1, 'running', 0, $2)`,
  };
  const update = {
    name: 'saga-update',
    text: 'UPDATE saga_log SET status = $2, step = $3, context = $4, updated_at = now() WHERE saga_id = $1',
  };
  const latency = new LatencyRecorder();
  const result = await concurrentUnitsPerSecond(
    16,
    async () => {
      const id = randomUUID();
      const state: Record<string, boolean | string> = { orderId: id };
      await pool.query({ ...insert, values: [id, JSON.stringify(state)] });
      for (const [step, name] of ['reserved', 'charged', 'shipped'].entries()) {
        state[name] = true;
        await pool.query({
          ...update,
          values: [id, step === 2 ? 'completed' : 'running', step + 1, JSON.stringify(state)],
        });
      }
      return 1;
    },
    {
      ...(context.quick ? { warmupMs: 200, durationMs: 800 } : { warmupMs: 500, durationMs: 2500 }),
      latency,
    },
  );
  await pool.end();
  return {
    value: result.rate,
    extra: latency.summary(),
    detail: `${result.units.toLocaleString('en-US')} sagas, 4 single-row commits each`,
  };
}

export const saga3StepsPg: WorkloadDefinition = {
  name: 'saga-3-steps-pg',
  unit: 'sagas/s',
  description:
    '3-step sagas (trivial steps) with state in PostgreSQL, 16 concurrent callers of SagaRunner.execute; p50/p99 of each saga, start to completion',
  postgres: true,
  targetText: '≥ 0.6× the hand-written saga log over 16 connections (issue 22)',
  targets: [{ kind: 'vs-reference', subject: 'pg-saga-log-16', min: 0.6 }],
  subjects: [
    {
      name: 'cello',
      role: 'cello',
      run: (c) => lazyRequire<SagaCello>(path.join(__dirname, 'saga-cello')).celloSagas(c),
    },
    { name: 'pg-saga-log-16', role: 'reference', run: rawSagaLog },
    {
      name: 'cello-async-commit',
      role: 'reference',
      run: (c) =>
        lazyRequire<SagaCello>(path.join(__dirname, 'saga-cello')).celloSagas(c, {
          synchronousCommit: false,
        }),
    },
  ],
};
