import path from 'node:path';
import { lazyRequire } from '../support/lazy-require';
import type { BenchContext, Subject, WorkloadDefinition } from '../support/workload';

type ScaleOutCello = typeof import('./scale-out-cello');

const processes = (count: number, role: Subject['role']): Subject => ({
  name: `cello-${count}-process${count > 1 ? 'es' : ''}`,
  role,
  run: (c: BenchContext) =>
    lazyRequire<ScaleOutCello>(path.join(__dirname, 'scale-out-cello')).scaleOut(c, count),
});

/**
 * More app instances on one PostgreSQL (issue 22). The 2-process figure is
 * the one held to the target; 1 and 4 processes are its references, and
 * each subject's extras say where the limit is (PostgreSQL's CPU share, the
 * apps' CPU share, lock and WAL waits of the server's active backends).
 */
export const scaleOut: WorkloadDefinition = {
  name: 'scale-out',
  unit: 'orders/s',
  description:
    '1, 2 and 4 app processes on one PostgreSQL, each with 16 concurrent orders (append OrderPlaced to a new stream, then a 3-step saga); total throughput',
  postgres: true,
  targetText: '2 processes ≥ 1× the throughput of 1 process: no collapse (issue 22)',
  targets: [{ kind: 'vs-reference', subject: 'cello-1-process', min: 1 }],
  subjects: [processes(1, 'reference'), processes(2, 'cello'), processes(4, 'reference')],
};
