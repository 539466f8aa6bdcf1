import type { MachineDefinition } from '../machine/saga-machine.types';
import type { SagaStepHandler } from './saga-step-execution';

/** A step ready to run: handlers bound to their saga instance. */
export interface CompiledSagaStep {
  readonly name: string;
  readonly action: SagaStepHandler<never>;
  readonly compensate?: SagaStepHandler<never>;
  readonly maxRetries: number;
  readonly timeoutMs: number | null;
  readonly retryable: boolean;
  readonly compensateOnFailure: boolean;
  readonly onInterrupted: 'retry' | 'compensate';
}

/** A saga class turned into what the runner needs. */
export interface CompiledSaga {
  readonly name: string;
  readonly type: abstract new (...args: never[]) => object;
  readonly steps: readonly CompiledSagaStep[];
  readonly machine: MachineDefinition;
}
