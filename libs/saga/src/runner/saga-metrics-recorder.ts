import type { CelloMetrics } from '@cello/core';
import type { SagaCommand, SagaMachineEvent } from '../machine/saga-machine.types';
import type { ActiveSagaRun } from './active-saga-run';

/** The saga runner's Prometheus counters, when CelloMetricsModule is imported (no-ops otherwise). */
export class SagaMetricsRecorder {
  constructor(private readonly metrics: CelloMetrics) {}

  driving(saga: string): void {
    this.metrics.sagasInFlight?.inc({ saga });
  }

  stoppedDriving(saga: string): void {
    this.metrics.sagasInFlight?.dec({ saga });
  }

  /** One saved transition: a step or compensation done, a saga finished. */
  transition(run: ActiveSagaRun, event: SagaMachineEvent, command: SagaCommand | undefined): void {
    const saga = run.saga.name;
    if (event.type === 'step_succeeded') {
      this.metrics.sagaStepsCompleted?.inc({ saga, step: run.saga.steps[event.index].name });
    } else if (event.type === 'compensation_succeeded') {
      this.metrics.sagaCompensations?.inc({ saga, step: run.saga.steps[event.index].name });
    }
    if (command?.type === 'finish' && event.type !== 'recover') {
      this.metrics.sagaExecutions?.inc({ saga, outcome: command.status });
      if (command.status === 'timed_out') this.metrics.sagaTimeouts?.inc({ saga });
    }
  }

  quarantined(saga: string): void {
    this.metrics.sagasQuarantined?.inc({ saga });
  }
}
