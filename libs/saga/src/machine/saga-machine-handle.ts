import { callNative, native } from '@cello/core/internal';
import type {
  MachineDefinition,
  SagaCommand,
  SagaMachineEvent,
  SagaStatus,
} from './saga-machine.types';

/** What one transition of a held machine returns. */
export interface HeldTransition {
  /** The new state, as JSON ready to persist. */
  readonly stateJson: string;
  readonly status: SagaStatus;
  readonly command: SagaCommand | undefined;
}

type NativeHandle = InstanceType<(typeof native)['SagaMachineHandle']>;

/**
 * One saga's state machine with its state held in Rust: each transition is
 * one crossing (event JSON in, state JSON out for the write), and the state
 * is never parsed on the TypeScript side. Half the cost of passing the whole
 * state both ways (bench/saga/RESULTS.md).
 */
export class SagaMachineHandle {
  private constructor(private readonly handle: NativeHandle) {}

  /** A fresh saga (feed it a `start` event). */
  static create(definition: MachineDefinition): SagaMachineHandle {
    return new SagaMachineHandle(
      callNative(() => native.SagaMachineHandle.create(JSON.stringify(definition))),
    );
  }

  /** A saga resumed from its persisted state. */
  static fromStateJson(stateJson: string): SagaMachineHandle {
    return new SagaMachineHandle(
      callNative(() => native.SagaMachineHandle.fromStateJson(stateJson)),
    );
  }

  /** Applies one event; the held state changes only when the event fits. */
  apply(event: SagaMachineEvent): HeldTransition {
    const out = callNative(() => this.handle.transition(JSON.stringify(event)));
    return {
      stateJson: out.stateJson,
      status: out.status as SagaStatus,
      command: out.commandJson ? (JSON.parse(out.commandJson) as SagaCommand) : undefined,
    };
  }

  /** The saga-wide deadline (ms since the epoch), if any. */
  get deadlineMs(): number | null {
    return this.handle.deadlineMs ?? null;
  }
}
