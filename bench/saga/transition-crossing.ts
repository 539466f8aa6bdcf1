/**
 * Cost of one saga transition through the Rust binding against a
 * pure-TypeScript port of the same decisions: with the state sent both ways,
 * and with the state held in Rust (what SagaRunner does), where the state JSON
 * that comes back is the one persisted.
 * Run: node -r ./scripts/register-ts.js bench/saga/transition-crossing.ts
 */
import { native } from '@cello/core/internal';
import { SagaMachine, SagaMachineHandle } from '@cello/saga';
import type { MachineDefinition, SagaMachineState, SagaTransition } from '@cello/saga';

const definition: MachineDefinition = {
  steps: ['reserve_inventory', 'process_payment', 'ship_order'].map((name) => ({
    name,
    maxRetries: 3,
    hasCompensation: true,
    compensateOnFailure: false,
  })),
  retryBaseMs: 5000,
  retryCapMs: 60000,
  timeoutMs: 300000,
};

/** The happy path's decisions, in TypeScript: start, then step_succeeded x3. */
function tsTransition(
  state: SagaMachineState,
  index: number | null,
  nowMs: number,
): SagaTransition {
  const next: SagaMachineState = { ...state, steps: state.steps.map((s) => ({ ...s })) };
  if (index === null) {
    next.startedAtMs = nowMs;
    next.deadlineMs = nowMs + (state.definition.timeoutMs ?? 0);
    next.steps[0] = { ...next.steps[0], status: 'running', attempts: 1 };
    const command = { type: 'run_step' as const, index: 0, attempt: 1, delayMs: 0 };
    next.inFlight = command;
    return { state: next, commands: [command] };
  }
  next.steps[index].status = 'completed';
  if (index + 1 === next.steps.length) {
    next.status = 'completed';
    next.inFlight = null;
    return { state: next, commands: [{ type: 'finish', status: 'completed' }] };
  }
  next.steps[index + 1] = { ...next.steps[index + 1], status: 'running', attempts: 1 };
  const command = { type: 'run_step' as const, index: index + 1, attempt: 1, delayMs: 0 };
  next.inFlight = command;
  return { state: next, commands: [command] };
}

function measure(label: string, sagas: number, run: () => void): number {
  for (let i = 0; i < 2000; i += 1) run(); // warm up
  const start = process.hrtime.bigint();
  for (let i = 0; i < sagas; i += 1) run();
  const ns = Number(process.hrtime.bigint() - start);
  const perTransition = ns / (sagas * 4);
  console.log(`${label.padEnd(46)} ${(perTransition / 1000).toFixed(2).padStart(7)} µs/transition`);
  return perTransition;
}

const initial = SagaMachine.init(definition);
const initialJson = JSON.stringify(initial);
const now = Date.now();
const SAGAS = Number(process.argv[2] ?? 20000);

const viaRunner = measure('Rust, state both ways (SagaMachine.transition)', SAGAS, () => {
  let t = SagaMachine.transition(initial, { type: 'start', nowMs: now });
  for (let i = 0; i < 3; i += 1) {
    t = SagaMachine.transition(t.state, { type: 'step_succeeded', index: i, nowMs: now });
  }
});
const rawCrossing = measure('Rust raw crossing (strings only, no TS JSON)', SAGAS, () => {
  let state = initialJson;
  let out = native.sagaTransition(state, `{"type":"start","nowMs":${now}}`);
  for (let i = 0; i < 3; i += 1) {
    state = out.slice(9, out.lastIndexOf(',"commands"'));
    out = native.sagaTransition(state, `{"type":"step_succeeded","index":${i},"nowMs":${now}}`);
  }
});
const handle = measure('Rust, state held (SagaMachineHandle, the runner)', SAGAS, () => {
  const machine = SagaMachineHandle.create(definition);
  machine.apply({ type: 'start', nowMs: now });
  for (let i = 0; i < 3; i += 1) machine.apply({ type: 'step_succeeded', index: i, nowMs: now });
});
const pureTsPersisted = measure('pure TypeScript + JSON.stringify to persist', SAGAS, () => {
  let t = tsTransition(initial, null, now);
  JSON.stringify(t.state);
  for (let i = 0; i < 3; i += 1) {
    t = tsTransition(t.state, i, now);
    JSON.stringify(t.state);
  }
});
const pureTs = measure('pure TypeScript port (objects, no JSON)', SAGAS, () => {
  let t = tsTransition(initial, null, now);
  for (let i = 0; i < 3; i += 1) t = tsTransition(t.state, i, now);
});
const tsWithJson = measure('pure TypeScript + JSON round trip of state', SAGAS, () => {
  let t = tsTransition(JSON.parse(initialJson) as SagaMachineState, null, now);
  for (let i = 0; i < 3; i += 1) {
    t = tsTransition(JSON.parse(JSON.stringify(t.state)) as SagaMachineState, i, now);
  }
});
console.log(
  JSON.stringify({
    sagas: SAGAS,
    nsPerTransition: {
      viaRunner: Math.round(viaRunner),
      rawCrossing: Math.round(rawCrossing),
      handle: Math.round(handle),
      pureTsPersisted: Math.round(pureTsPersisted),
      pureTs: Math.round(pureTs),
      pureTsWithJson: Math.round(tsWithJson),
    },
  }),
);
