import type { WorkloadDefinition } from '../support/workload';
import { appendBatch100, appendConcurrent16, appendSequential } from './append.workloads';
import { load10k, load10kSnapshot } from './load.workloads';
import { memoryAppend1m, memoryReplay1m } from './memory.workloads';
import { nativeEventLog, nativeSnapshotCodec } from './native.workloads';
import { projectionCatchUp } from './projection.workloads';
import { relayThroughput } from './relay.workloads';
import { saga3StepsPg } from './saga.workloads';
import { scaleOut } from './scale-out.workloads';
import {
  dispatchCommand,
  dispatchCommandFull,
  dispatchCommandTraced,
  dispatchQuery,
} from './dispatch.workloads';

/** Every workload, in the order `npm run bench` runs them. */
export const workloads: readonly WorkloadDefinition[] = [
  dispatchCommand,
  dispatchQuery,
  dispatchCommandFull,
  dispatchCommandTraced,
  appendSequential,
  appendConcurrent16,
  appendBatch100,
  load10k,
  load10kSnapshot,
  memoryAppend1m,
  memoryReplay1m,
  saga3StepsPg,
  scaleOut,
  projectionCatchUp,
  relayThroughput,
  nativeEventLog,
  nativeSnapshotCodec,
];

/** The workload named `name`; throws naming the known ones otherwise. */
export function findWorkload(name: string): WorkloadDefinition {
  const workload = workloads.find((w) => w.name === name);
  if (!workload) {
    throw new Error(
      `unknown workload "${name}"; known: ${workloads.map((w) => w.name).join(', ')}`,
    );
  }
  return workload;
}
