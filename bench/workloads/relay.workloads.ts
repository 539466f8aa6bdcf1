import path from 'node:path';
import { lazyRequire } from '../support/lazy-require';
import type { BenchContext, WorkloadDefinition } from '../support/workload';

type RelayCello = typeof import('./relay-cello');

const total = (context: BenchContext): number => (context.quick ? 2_000 : 10_000);

export const relayThroughput: WorkloadDefinition = {
  name: 'relay',
  unit: 'events/s',
  description:
    'The @cello/relay subscriber publishing 10,000 committed events to NATS JetStream, acks awaited (PostgreSQL + nats-server)',
  postgres: true,
  targetText: '≥ 0.5× the bare JetStream publish loop',
  targets: [{ kind: 'vs-ceiling', min: 0.5 }],
  subjects: [
    {
      name: 'cello-relay',
      role: 'cello',
      run: (c) =>
        lazyRequire<RelayCello>(path.join(__dirname, 'relay-cello')).relayCatchUp(c, total(c)),
    },
    {
      name: 'nats-publish-loop',
      role: 'ceiling',
      run: (c) =>
        lazyRequire<RelayCello>(path.join(__dirname, 'relay-cello')).barePublishLoop(c, total(c)),
    },
  ],
};
