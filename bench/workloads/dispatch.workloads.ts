import type { WorkloadDefinition } from '../support/workload';
import { celloDispatch } from './dispatch-cello';
import { celloTracedDispatch } from './dispatch-traced';
import { mapFloor, nativeRouteFloor, nestjsCqrs, timedLimitFloor } from './dispatch-fixtures';

export const dispatchCommand: WorkloadDefinition = {
  name: 'dispatch-command',
  unit: 'ops/s',
  description: 'CommandBus.dispatch of a trivial command, trivial handler, no middleware',
  postgres: false,
  targetText: '≥ 1.6× @nestjs/cqrs; within 1.3× of the bare Map floor (≥ 0.77× of it)',
  targets: [
    { kind: 'vs-peer', peer: 'nestjs-cqrs', min: 1.6 },
    { kind: 'vs-ceiling', min: 1 / 1.3 },
  ],
  subjects: [
    { name: 'cello', role: 'cello', run: (c) => celloDispatch(c, 'command', false) },
    { name: 'nestjs-cqrs', role: 'peer', run: (c) => nestjsCqrs(c, 'command') },
    { name: 'map-floor', role: 'ceiling', run: (c) => mapFloor(c) },
    { name: 'native-route-floor', role: 'reference', run: (c) => nativeRouteFloor(c) },
  ],
};

export const dispatchQuery: WorkloadDefinition = {
  name: 'dispatch-query',
  unit: 'ops/s',
  description: 'QueryBus.dispatch of a trivial query, trivial handler, no middleware',
  postgres: false,
  targetText: '≥ 2× @nestjs/cqrs',
  targets: [{ kind: 'vs-peer', peer: 'nestjs-cqrs', min: 2 }],
  subjects: [
    { name: 'cello', role: 'cello', run: (c) => celloDispatch(c, 'query', false) },
    { name: 'nestjs-cqrs', role: 'peer', run: (c) => nestjsCqrs(c, 'query') },
    { name: 'map-floor', role: 'ceiling', run: (c) => mapFloor(c) },
  ],
};

export const dispatchCommandFull: WorkloadDefinition = {
  name: 'dispatch-command-full',
  unit: 'ops/s',
  description: 'CommandBus.dispatch with class-validator validation, metrics and a timeout on',
  postgres: false,
  targetText: '≥ 1.0× @nestjs/cqrs without them',
  targets: [{ kind: 'vs-peer', peer: 'nestjs-cqrs', min: 1 }],
  subjects: [
    { name: 'cello', role: 'cello', run: (c) => celloDispatch(c, 'command', true) },
    { name: 'nestjs-cqrs', role: 'peer', run: (c) => nestjsCqrs(c, 'command') },
    // The least any exactly timed dispatch with a time limit costs (bench/cqrs/README.md).
    { name: 'timed-limit-floor', role: 'reference', run: (c) => timedLimitFloor(c) },
  ],
};

export const dispatchCommandTraced: WorkloadDefinition = {
  name: 'dispatch-command-traced',
  unit: 'ops/s',
  description:
    'CommandBus.dispatch (no validation, metrics, limit or middleware) with @opentelemetry/api installed and no SDK registered, against the same routes without the tracing hook',
  postgres: false,
  targetText: 'tracing with no SDK registered costs < 5 % per dispatch (issue 19)',
  targets: [{ kind: 'overhead-max', subject: 'no-hooks', max: 0.05, perUnit: 'cpuNsPerOp' }],
  subjects: [
    { name: 'cello', role: 'cello', run: (c) => celloTracedDispatch(c, 'api-no-sdk') },
    { name: 'no-hooks', role: 'reference', run: (c) => celloTracedDispatch(c, 'no-hooks') },
    { name: 'api-absent', role: 'reference', run: (c) => celloTracedDispatch(c, 'api-absent') },
  ],
};
