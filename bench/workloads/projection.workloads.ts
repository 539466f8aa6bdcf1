import path from 'node:path';
import { lazyRequire } from '../support/lazy-require';
import { copyLines, copyRawEvents, rawClient } from '../support/raw-pg';
import { timeOnce } from '../support/timing';
import type { BenchContext, Measurement, WorkloadDefinition } from '../support/workload';

type ProjectionCello = typeof import('./projection-cello');
type ProjectionEmmett = typeof import('./projection-emmett');

const total = (context: BenchContext): number => (context.quick ? 20_000 : 100_000);

/** The ceiling: the same number of rows through COPY FROM STDIN (rows prepared before timing). */
async function rawCopy(context: BenchContext): Promise<Measurement> {
  const client = await rawClient(context.databaseUrl);
  const lines = copyLines(total(context), total(context) / 100);
  await context.checkpoint();
  let copied = 0;
  const seconds = await timeOnce(async () => {
    copied = await copyRawEvents(client, lines);
  });
  await client.end();
  return { value: copied / seconds, detail: `${copied.toLocaleString('en-US')} rows in one COPY` };
}

export const projectionCatchUp: WorkloadDefinition = {
  name: 'projection-catch-up',
  unit: 'rows/s',
  description: 'A subscriber catching up over 100,000 events into a read-model table (PostgreSQL)',
  postgres: true,
  targetText: '≥ 0.5× raw COPY rows/s',
  targets: [{ kind: 'vs-ceiling', min: 0.5 }],
  subjects: [
    {
      name: 'cello',
      role: 'cello',
      run: (c) =>
        lazyRequire<ProjectionCello>(path.join(__dirname, 'projection-cello')).celloCatchUp(
          c,
          total(c),
        ),
    },
    {
      name: 'emmett-postgresql',
      role: 'peer',
      run: (c) =>
        lazyRequire<ProjectionEmmett>(path.join(__dirname, 'projection-emmett')).emmettCatchUp(
          c,
          total(c),
        ),
    },
    { name: 'pg-copy', role: 'ceiling', run: rawCopy },
    {
      name: 'cello-no-op-handler',
      role: 'reference',
      run: (c) =>
        lazyRequire<ProjectionCello>(path.join(__dirname, 'projection-cello')).celloCatchUp(
          c,
          total(c),
          'no-op',
        ),
    },
  ],
};
