import type { Logger } from '@nestjs/common';
import { isCelloError } from '@cello/core';
import { currentMessageContext, runInMessageContext, traced } from '@cello/core/internal';
import type { SagaStepExecution } from '../definition/saga-step-execution';
import { NonRetryableError } from '../errors/non-retryable.error';
import { SagaLeaseLostError } from '../errors/saga-lease-lost.error';
import { SagaRunnerStoppedError } from '../errors/saga-runner-stopped.error';
import { SagaStorageUnavailableError } from '../errors/saga-storage-unavailable.error';
import { jitterSeed } from '../machine/saga-machine';
import type { SagaCommand, SagaMachineEvent } from '../machine/saga-machine.types';
import type { ResolvedSagaOptions } from '../saga-module-options';
import type { SagaStorage, SagaWrite } from '../storage/saga-storage';
import { haltRun, stopErrorOf, type ActiveSagaRun } from './active-saga-run';
import { runWithDeadlines, sleep, type AttemptOutcome } from './run-with-deadlines';
import type { SagaMetricsRecorder } from './saga-metrics-recorder';
import type { SagaResult } from './saga-result';
import { toSagaResult } from './saga-result-mapping';
import { recordAttempt, withAttempts } from './saga-attempt';
import { withOrigin } from './saga-origin';
import { messageOf, unstorableContext, writeOf } from './saga-writes';

/**
 * Drives sagas with the native state machine: each transition is decided by
 * the machine and saved (fenced by the run's lease) before the next step or
 * compensation starts. Knows which sagas it drives and which actions still
 * execute here, for recovery and shutdown.
 */
export class SagaExecutor {
  /** The sagas driven here, by id. */
  readonly active = new Map<string, ActiveSagaRun>();
  private readonly running = new Set<Promise<unknown>>();
  /**
   * Sagas with a step or compensation action still executing here, by id: an
   * action whose run was halted may ignore its signal, so its saga is not
   * claimed again by this process until the action settled.
   */
  private readonly executing = new Map<string, number>();

  constructor(
    private readonly storage: SagaStorage,
    private readonly options: ResolvedSagaOptions,
    private readonly metrics: SagaMetricsRecorder,
    private readonly logger: Logger,
  ) {}

  /** No saga driven and no action executing here. */
  get idle(): boolean {
    return this.active.size === 0 && this.executing.size === 0;
  }

  /** No action (even of a halted run) still executing here. */
  get noActionExecuting(): boolean {
    return this.executing.size === 0;
  }

  /** Sagas recovery must not claim for this process: driven here, or with an action still executing. */
  busyIds(): string[] {
    return [...new Set([...this.active.keys(), ...this.executing.keys()])];
  }

  halt(run: ActiveSagaRun, reason: Error): void {
    haltRun(run, reason);
  }

  /** Halts every run driven here, each with its own reason. */
  haltAll(reasonFor: (run: ActiveSagaRun) => Error): void {
    for (const run of this.active.values()) haltRun(run, reasonFor(run));
  }

  /** Resolves when every drive started here settled. */
  async settled(): Promise<void> {
    await Promise.allSettled([...this.running]);
  }

  /** Drives a run to its end, its outcome awaited by the caller. */
  execute(run: ActiveSagaRun, firstEvent?: SagaMachineEvent): Promise<SagaResult> {
    return this.track(this.drive(run, firstEvent));
  }

  /**
   * Drives a run nobody awaits; a stop other than the runner's is logged. It
   * outlives the work that started it (a request, an event's subscriber, a
   * recovery scan), so it is traced as its own trace, linked to where the saga
   * started from.
   */
  background(run: ActiveSagaRun, event?: SagaMachineEvent): void {
    const drive = traced(
      `saga ${run.saga.name}`,
      () => ({
        root: true,
        linkFrom: run.origin?.trace,
        attributes: {
          'cello.saga.name': run.saga.name,
          'cello.saga.id': run.id,
          'cello.saga.operation': event?.type === 'recover' ? 'recover' : 'run',
        },
      }),
      () => this.execute(run, event),
    );
    drive.catch((error: unknown) => {
      if (!isCelloError(error, SagaRunnerStoppedError.code)) {
        this.logger.warn(`Saga ${run.id} stopped: ${(error as Error).message}`);
      }
    });
  }

  private track<T>(promise: Promise<T>): Promise<T> {
    this.running.add(promise);
    void promise.finally(() => this.running.delete(promise)).catch(() => undefined);
    return promise;
  }

  /** Applies events until the machine says finish: save, then act, repeatedly. */
  private async drive(run: ActiveSagaRun, firstEvent?: SagaMachineEvent): Promise<SagaResult> {
    this.active.set(run.id, run);
    this.metrics.driving(run.saga.name);
    try {
      let command = run.next;
      if (firstEvent) command = await this.apply(run, firstEvent);
      for (;;) {
        if (!command || command.type === 'finish') return toSagaResult(run);
        if (!(await sleep(command.delayMs, run.stop.signal))) throw stopErrorOf(run);
        const event =
          command.type === 'run_step'
            ? await this.runStep(run, command.index, command.attempt)
            : await this.runCompensation(run, command.index, command.attempt);
        command = await this.apply(run, event);
      }
    } finally {
      // A newer driver of the same saga (our own re-claim after a stall) keeps its entry.
      if (this.active.get(run.id) === run) this.active.delete(run.id);
      this.metrics.stoppedDriving(run.saga.name);
    }
  }

  /** One transition, saved (fenced) before anything else happens. */
  private async apply(
    run: ActiveSagaRun,
    event: SagaMachineEvent,
  ): Promise<SagaCommand | undefined> {
    if (run.stop.signal.aborted) throw stopErrorOf(run);
    const next = run.machine.apply(event);
    const saved = await this.saveWithRetry(
      run,
      writeOf(
        {
          id: run.id,
          status: next.status,
          context: run.context,
          owner: this.options.instanceId,
          fencingToken: run.fencingToken,
          leaseTtlMs: this.options.leaseTtlMs,
        },
        withOrigin(withAttempts(next.stateJson, run.attempts ?? []), run.origin),
      ),
    );
    if (!saved) {
      haltRun(run, new SagaLeaseLostError(run.id, run.fencingToken));
      throw stopErrorOf(run);
    }
    run.stateJson = next.stateJson;
    run.status = next.status;
    run.next = next.command;
    this.metrics.transition(run, event, next.command);
    return next.command;
  }

  /**
   * Saves a transition, retrying while the storage is unreachable: the saga
   * waits (no action runs unsaved) and resumes as soon as the database is
   * back. If our lease lapsed meanwhile and another instance took the saga,
   * the fenced write says so and we stop.
   */
  private async saveWithRetry(run: ActiveSagaRun, write: SagaWrite): Promise<boolean> {
    for (let attempt = 0; ; attempt += 1) {
      try {
        return await this.storage.save(write);
      } catch (error) {
        if (!isCelloError(error, SagaStorageUnavailableError.code)) throw error;
        if (attempt === 0) {
          this.logger.warn(`Saga ${run.id} waits for its storage: ${error.message}`);
        }
        const delay = Math.min(2000, 50 * 2 ** Math.min(attempt, 6));
        if (!(await sleep(delay, run.stop.signal))) throw stopErrorOf(run);
      }
    }
  }

  private execution(run: ActiveSagaRun, index: number, attempt: number, compensate: boolean) {
    const step = run.saga.steps[index];
    const controller = new AbortController();
    const execution: SagaStepExecution = {
      context: structuredClone(run.context),
      sagaId: run.id,
      sagaName: run.saga.name,
      stepName: step.name,
      idempotencyKey: `${run.id}:${step.name}${compensate ? ':compensate' : ''}`,
      attempt,
      signal: controller.signal,
    };
    return { step, controller, execution };
  }

  private async runStep(
    run: ActiveSagaRun,
    index: number,
    attempt: number,
  ): Promise<SagaMachineEvent> {
    const { step, controller, execution } = this.execution(run, index, attempt, false);
    const startedAt = Date.now();
    const outcome = await runWithDeadlines(
      () =>
        this.counted(run, execution.idempotencyKey, () =>
          this.traced(run, execution, 'step', () =>
            (step.action as (e: SagaStepExecution) => unknown)(execution),
          ),
        ),
      controller,
      step.timeoutMs,
      run.machine.deadlineMs,
      run.stop.signal,
    );
    const event = this.stepEvent(run, step, index, execution, outcome);
    this.noteAttempt(run, execution, 'step', startedAt, event);
    return event;
  }

  private stepEvent(
    run: ActiveSagaRun,
    step: ActiveSagaRun['saga']['steps'][number],
    index: number,
    execution: SagaStepExecution,
    outcome: AttemptOutcome,
  ): SagaMachineEvent {
    switch (outcome.kind) {
      case 'ok': {
        // A context the storage would refuse fails the step for good instead of the save.
        const refused = unstorableContext(run.saga.name, execution.context);
        if (!refused) {
          run.context = execution.context;
          return { type: 'step_succeeded', index, nowMs: Date.now() };
        }
        run.lastError = refused;
        return {
          type: 'step_failed',
          index,
          retryable: false,
          error: refused.message,
          nowMs: Date.now(),
          seed: jitterSeed(),
        };
      }
      case 'error':
        run.lastError = outcome.error;
        return {
          type: 'step_failed',
          index,
          retryable: step.retryable && !isCelloError(outcome.error, NonRetryableError.code),
          error: messageOf(outcome.error),
          nowMs: Date.now(),
          seed: jitterSeed(),
        };
      case 'step_timeout':
        return {
          type: 'step_timed_out',
          index,
          error: `step "${step.name}" exceeded its timeout of ${step.timeoutMs} ms`,
        };
      case 'saga_timeout':
        return { type: 'timeout', nowMs: Math.max(Date.now(), run.machine.deadlineMs ?? 0) };
      case 'aborted':
        throw stopErrorOf(run);
    }
  }

  private async runCompensation(
    run: ActiveSagaRun,
    index: number,
    attempt: number,
  ): Promise<SagaMachineEvent> {
    const { step, controller, execution } = this.execution(run, index, attempt, true);
    const startedAt = Date.now();
    const outcome = await runWithDeadlines(
      () =>
        this.counted(run, execution.idempotencyKey, () =>
          this.traced(run, execution, 'compensation', () =>
            (step.compensate as (e: SagaStepExecution) => unknown)(execution),
          ),
        ),
      controller,
      step.timeoutMs,
      null,
      run.stop.signal,
    );
    if (outcome.kind === 'aborted') throw stopErrorOf(run);
    const refused =
      outcome.kind === 'ok' ? unstorableContext(run.saga.name, execution.context) : undefined;
    if (outcome.kind === 'ok' && !refused) {
      run.context = execution.context;
      const event: SagaMachineEvent = { type: 'compensation_succeeded', index };
      this.noteAttempt(run, execution, 'compensation', startedAt, event);
      return event;
    }
    const error =
      refused ??
      (outcome.kind === 'error'
        ? outcome.error
        : new Error(`compensation exceeded its timeout of ${step.timeoutMs} ms`));
    run.lastError = error;
    const failed: SagaMachineEvent = {
      type: 'compensation_failed',
      index,
      error: messageOf(error),
      nowMs: Date.now(),
      seed: jitterSeed(),
    };
    this.noteAttempt(run, execution, 'compensation', startedAt, failed);
    return failed;
  }

  /** Adds the attempt that led to `event` to the run's history, saved with the next transition. */
  private noteAttempt(
    run: ActiveSagaRun,
    execution: SagaStepExecution,
    kind: 'step' | 'compensation',
    startedAt: number,
    event: SagaMachineEvent,
  ): void {
    if (event.type === 'timeout') return; // the saga's deadline, not this attempt's outcome
    const endedAt = Date.now();
    const error = 'error' in event ? event.error : null;
    recordAttempt((run.attempts ??= []), {
      step: execution.stepName,
      kind,
      attempt: execution.attempt,
      startedAt: new Date(startedAt).toISOString(),
      endedAt: new Date(endedAt).toISOString(),
      durationMs: endedAt - startedAt,
      outcome:
        event.type === 'step_timed_out' ? 'timed_out' : error === null ? 'succeeded' : 'failed',
      error,
      idempotencyKey: execution.idempotencyKey,
      owner: this.options.instanceId,
    });
  }

  /** A step's action or compensation in a span (when an SDK is registered). */
  private traced(
    run: ActiveSagaRun,
    execution: SagaStepExecution,
    what: 'step' | 'compensation',
    action: () => unknown,
  ): Promise<unknown> {
    return traced(
      `saga ${what} ${run.saga.name}.${execution.stepName}`,
      () => ({
        attributes: {
          'cello.saga.name': run.saga.name,
          'cello.saga.id': run.id,
          'cello.saga.step': execution.stepName,
          'cello.saga.operation': what,
          'cello.saga.attempt': execution.attempt,
        },
      }),
      async () => action(),
    );
  }

  /**
   * Runs an action of `run`, counted in `executing` until it settles (even
   * after an abort). What it appends is caused by the step (`cause`), in the
   * correlation of the work that started the saga, as stored with it (so the
   * same after a recovery by another instance); the saga id when none started it.
   */
  private counted(run: ActiveSagaRun, cause: string, action: () => unknown): Promise<unknown> {
    const id = run.id;
    this.executing.set(id, (this.executing.get(id) ?? 0) + 1);
    const context = {
      correlationId: run.origin?.correlationId ?? currentMessageContext()?.correlationId ?? id,
      causationId: cause,
    };
    const settled = Promise.resolve().then(() => runInMessageContext(context, action));
    const done = () => {
      const left = (this.executing.get(id) ?? 1) - 1;
      if (left > 0) this.executing.set(id, left);
      else this.executing.delete(id);
    };
    void settled.then(done, done);
    return settled;
  }
}
