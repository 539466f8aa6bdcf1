import { callNative, native } from '@cello/core/internal';
import type {
  MachineDefinition,
  SagaMachineEvent,
  SagaMachineState,
  SagaTransition,
} from './saga-machine.types';

/**
 * The saga state machine, which lives in Rust (`cello_core::saga`): one
 * binding crossing per transition, state and event passed as JSON.
 */
export const SagaMachine = {
  /** Initial (not yet started) state for a definition. */
  init(definition: MachineDefinition): SagaMachineState {
    return JSON.parse(
      callNative(() => native.sagaInit(JSON.stringify(definition))),
    ) as SagaMachineState;
  },

  /** Applies `event` to `state`: the next state and what to do. */
  transition(state: SagaMachineState, event: SagaMachineEvent): SagaTransition {
    return JSON.parse(
      callNative(() => native.sagaTransition(JSON.stringify(state), JSON.stringify(event))),
    ) as SagaTransition;
  },
};

/** A random 32-bit seed for the machine's jitter (kept out of Rust to keep it pure). */
export function jitterSeed(): number {
  return Math.floor(Math.random() * 0xffffffff);
}
