import { randomUUID } from 'node:crypto';
import {
  Inject,
  Injectable,
  Logger,
  Optional,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { CelloMetrics, isCelloError } from '@cello/core';
import { findUnstorableJsonValue, formatJsonValuePath, toStorableText } from '@cello/core/internal';
import type { CompiledSaga } from '../definition/compiled-saga';
import { compileSaga } from '../definition/saga-compiler';
import { getSagaStepsMetadata } from '../decorators/saga-step.decorator';
import { SagaRegistry } from '../definition/saga-registry';
import type { SagaContext, SagaStepExecution } from '../definition/saga-step-execution';
import { InvalidSagaContextError } from '../errors/invalid-saga-context.error';
import { InvalidSagaIdError } from '../errors/invalid-saga-id.error';
import { SagaCorruptError } from '../errors/saga-corrupt.error';
import { SagaDefinitionChangedError } from '../errors/saga-definition-changed.error';
import { SagaIdConflictError } from '../errors/saga-id-conflict.error';
import { SagaInstanceIdInUseError } from '../errors/saga-instance-id-in-use.error';
import { InvalidSagaStateError } from '../errors/invalid-saga-state.error';
import { NonRetryableError } from '../errors/non-retryable.error';
import { SagaCompensationFailedError } from '../errors/saga-compensation-failed.error';
import { SagaLeaseLostError } from '../errors/saga-lease-lost.error';
import { SagaNotFoundError } from '../errors/saga-not-found.error';
import { SagaRunnerStoppedError } from '../errors/saga-runner-stopped.error';
import { SagaStepFailedError } from '../errors/saga-step-failed.error';
import { SagaStorageUnavailableError } from '../errors/saga-storage-unavailable.error';
import { SagaTimeoutError } from '../errors/saga-timeout.error';
import { UnknownSagaError } from '../errors/unknown-saga.error';
import { jitterSeed } from '../machine/saga-machine';
import { SagaMachineHandle } from '../machine/saga-machine-handle';
import { storedStateProblem } from '../machine/stored-state-problem';
import {
  TERMINAL_SAGA_STATUSES,
  type SagaCommand,
  type SagaMachineEvent,
  type SagaMachineState,
  type SagaStatus,
} from '../machine/saga-machine.types';
import { SAGA_MODULE_OPTIONS, SAGA_STORAGE } from '../saga.constants';
import type { ResolvedSagaOptions } from '../saga-module-options';
import type {
  SagaIncarnationBeat,
  SagaRecord,
  SagaStorage,
  SagaWrite,
} from '../storage/saga-storage';
import type { SagaResult, SagaStatusView } from './saga-result';
import { runWithDeadlines, sleep } from './run-with-deadlines';
import { MAX_SAGA_ID_LENGTH, type SagaStartOptions } from './saga-start-options';

type SagaType = abstract new (...args: never[]) => object;

/** One saga this instance is driving. */
interface ActiveRun {
  readonly saga: CompiledSaga;
  readonly id: string;
  readonly fencingToken: number;
  /** The Rust state machine holding this saga's state. */
  readonly machine: SagaMachineHandle;
  /** The state as last saved. */
  stateJson: string;
  status: SagaStatus;
  /** The command decided by the last transition. */
  next?: SagaCommand;
  context: SagaContext;
  /** Aborted when the lease is lost or the app stops. */
  readonly stop: AbortController;
  stopReason?: Error;
  lastError?: unknown;
}

/**
 * Runs sagas: `execute` (wait for the result), `start` (get the id at once),
 * `getStatus`, `list`, `retryCompensation`. Every transition is decided by
 * the Rust state machine and saved (fenced by this instance's lease) before
 * the next action starts; abandoned sagas are recovered on start-up and
 * periodically.
 */
@Injectable()
export class SagaRunner implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('SagaRunner');
  private readonly active = new Map<string, ActiveRun>();
  private readonly running = new Set<Promise<unknown>>();
  private recoveryTimer?: NodeJS.Timeout;
  private renewTimer?: NodeJS.Timeout;
  private heartbeatTimer?: NodeJS.Timeout;
  private stopped = false;
  /**
   * This process among all that ever ran with our `instanceId`: written in
   * every lease it takes, so that a restarted instance does not mistake its
   * predecessor's leases (or a live twin's) for its own.
   */
  private currentIncarnation = randomUUID();
  /** Beats last seen of the other incarnations of our `instanceId`: one that grows is alive. */
  private otherBeats = new Map<string, number>();
  private readonly reportedTwins = new Set<string>();
  /**
   * Sagas with a step or compensation action still executing here, by id: an
   * action whose run was halted may ignore its signal, so its saga is not
   * claimed again by this process until the action settled.
   */
  private readonly executing = new Map<string, number>();
  /** Aborted on shutdown: ends waits for other instances' sagas. */
  private readonly shutdown = new AbortController();
  private recovering?: Promise<void>;

  constructor(
    private readonly registry: SagaRegistry,
    @Inject(SAGA_STORAGE) private readonly storage: SagaStorage,
    @Inject(SAGA_MODULE_OPTIONS) private readonly options: ResolvedSagaOptions,
    @Optional() private readonly metrics: CelloMetrics = CelloMetrics.disabled,
  ) {}

  /** Identity of this instance in lease rows. */
  get instanceId(): string {
    return this.options.instanceId;
  }

  /** This process's random token in lease rows and in its heartbeat row. */
  get incarnation(): string {
    return this.currentIncarnation;
  }

  /**
   * Refuses to start beside a live process with the same `instanceId`
   * (`SagaInstanceIdInUseError`), then recovers abandoned sagas and starts the
   * lease renewals and the heartbeat.
   */
  async onApplicationBootstrap(): Promise<void> {
    if (!this.options.recovery) return;
    await this.refuseLiveTwinWithin(TWIN_CHECK_LIMIT_MS);
    if (this.stopped) return; // closed while it watched: start no timers
    // Leases of a predecessor with our instanceId are not ours to take at once:
    // recovery takes them when they expire or its heartbeat lapses, like anyone's.
    void this.recoverAbandoned();
    this.heartbeatTimer = setInterval(() => void this.heartbeat(), this.heartbeatIntervalMs);
    this.heartbeatTimer.unref();
    this.recoveryTimer = setInterval(
      () => void this.recoverAbandoned(),
      Math.max(50, this.options.recoveryIntervalMs),
    );
    this.renewTimer = setInterval(
      () => void this.renewLeases(),
      Math.max(30, Math.floor(this.options.leaseTtlMs / 3)),
    );
    this.recoveryTimer.unref();
    this.renewTimer.unref();
  }

  /** Nest hook: halts the running sagas (recovered on the next start) and closes the storage. */
  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    this.shutdown.abort();
    clearInterval(this.recoveryTimer);
    clearInterval(this.renewTimer);
    clearInterval(this.heartbeatTimer);
    for (const run of this.active.values()) this.halt(run, new SagaRunnerStoppedError(run.id));
    await this.recovering;
    await Promise.allSettled([...this.running]);
    // Proof that this process is gone, so that its successor (or any instance)
    // takes its sagas at once instead of after the lease. Not while an aborted
    // action may still be executing: its effect could land after the successor's.
    if (this.options.recovery && this.executing.size === 0) {
      await this.storage.retireIncarnation(this.incarnation).catch((error: unknown) => {
        this.logger.warn(`Saga heartbeat not retired: ${(error as Error).message}`);
      });
    }
    await this.storage.close();
  }

  /**
   * Runs a saga to its end and resolves with its result (failures are results,
   * not rejections). With `options.sagaId` of a saga that exists, runs nothing
   * and resolves with that saga's outcome once it has one.
   */
  async execute<C extends object>(
    type: SagaType,
    context: C,
    options: SagaStartOptions = {},
  ): Promise<SagaResult<C>> {
    const begun = await this.begin(type, context, options);
    if ('existing' in begun) return this.outcomeOf(begun.existing) as Promise<SagaResult<C>>;
    return this.track(this.drive(begun.run)) as Promise<SagaResult<C>>;
  }

  /**
   * Starts a saga and resolves with its id once its first state is saved. With
   * `options.sagaId` of a saga that exists, starts nothing and resolves with the id.
   */
  async start<C extends object>(
    type: SagaType,
    context: C,
    options: SagaStartOptions = {},
  ): Promise<string> {
    const begun = await this.begin(type, context, options);
    if ('existing' in begun) return begun.existing.id;
    this.background(begun.run);
    return begun.run.id;
  }

  /** Where a saga stands; `SagaNotFoundError` for an unknown id. */
  async getStatus(sagaId: string): Promise<SagaStatusView> {
    const record = await this.storage.load(sagaId);
    if (!record) throw new SagaNotFoundError(sagaId);
    return toView(record);
  }

  /** Sagas for a dashboard, newest first. */
  async list(
    query: { status?: SagaStatus | SagaStatus[]; sagaName?: string; limit?: number } = {},
  ) {
    return (await this.storage.list(query)).map(toView);
  }

  /** Tries the compensations of a `compensation_failed` saga again and resolves with the new result. */
  async retryCompensation(sagaId: string): Promise<SagaResult> {
    const record = await this.storage.claim(
      sagaId,
      'compensation_failed',
      this.options.instanceId,
      this.options.leaseTtlMs,
      this.incarnation,
    );
    if (!record) {
      const existing = await this.storage.load(sagaId);
      if (!existing) throw new SagaNotFoundError(sagaId);
      throw new InvalidSagaStateError(sagaId, existing.status, 'retry the compensation of');
    }
    let run: ActiveRun;
    try {
      run = this.resume(record);
    } catch (error) {
      if (isCelloError(error, SagaCorruptError.code)) await this.quarantine(record, error);
      throw error;
    }
    return this.track(this.drive(run, { type: 'retry_compensation' }));
  }

  /**
   * Claims abandoned sagas once and drives them; the periodic scan calls it
   * too. Never takes a saga this process drives, nor a live lease of another
   * process, even one with our `instanceId`: a lease is taken when it expired
   * or its process is proven gone (heartbeat lapsed, or retired on a graceful
   * stop). The argument is accepted for compatibility and widens nothing.
   */
  async recoverAbandoned(_ownedBy?: string): Promise<number> {
    if (this.stopped) return 0;
    if (this.recovering) {
      await this.recovering;
      return 0;
    }
    let count = 0;
    this.recovering = (async () => {
      try {
        const records = await this.storage.claimAbandoned(
          this.options.instanceId,
          this.options.leaseTtlMs,
          this.options.recoveryBatchSize,
          {
            incarnation: this.incarnation,
            busy: [...new Set([...this.active.keys(), ...this.executing.keys()])],
          },
        );
        for (const record of records) {
          if (!this.registry.findByName(record.sagaName)) {
            this.logger.error(
              `Saga ${record.id} is a "${record.sagaName}", which this app does not register; left for another instance.`,
            );
            continue;
          }
          let run: ActiveRun;
          try {
            run = this.resume(record);
          } catch (error) {
            // One saga that cannot be resumed must not stop the recovery of the others in the batch.
            if (isCelloError(error, SagaCorruptError.code)) {
              await this.quarantine(record, error);
              continue;
            }
            this.logger.error(
              isCelloError(error, SagaDefinitionChangedError.code)
                ? error.message
                : `Saga ${record.id} (${record.sagaName}) cannot be recovered: its stored state is unreadable ` +
                    `(${(error as Error).message}). Left as it is; fix or remove the row.`,
            );
            continue;
          }
          count += 1;
          const stale = this.active.get(record.id);
          if (stale) this.halt(stale, new SagaLeaseLostError(record.id, stale.fencingToken));
          this.logger.log(`Recovering saga ${record.id} (${record.sagaName}, ${record.status})`);
          this.background(run, { type: 'recover', nowMs: Date.now(), seed: jitterSeed() });
        }
      } catch (error) {
        this.logger.warn(`Saga recovery scan failed: ${(error as Error).message}`);
      }
    })();
    try {
      await this.recovering;
    } finally {
      this.recovering = undefined;
    }
    return count;
  }

  /**
   * Sets aside a saga whose stored state cannot be read, so that no instance
   * claims it again (each claim used to end in a crash, or in a log line per
   * scan). Logged and counted once: by the instance whose fenced write did it.
   */
  private async quarantine(record: SagaRecord, error: Error): Promise<void> {
    let quarantined: boolean;
    try {
      quarantined = await this.storage.quarantine(
        record.id,
        this.options.instanceId,
        record.fencingToken,
      );
    } catch (cause) {
      this.logger.warn(
        `Saga ${record.id} is corrupt but could not be quarantined (${(cause as Error).message}); ` +
          'tried again when it is next claimed.',
      );
      return;
    }
    if (!quarantined) return; // taken over meanwhile: its new holder decides
    this.logger.error(error.message);
    this.metrics.sagasQuarantined?.inc({ saga: record.sagaName });
  }

  private async renewLeases(): Promise<void> {
    if (this.active.size === 0 || this.stopped) return;
    const leases = new Map([...this.active.values()].map((r) => [r.id, r.fencingToken]));
    try {
      const held = new Set(
        await this.storage.renewLeases(this.options.instanceId, leases, this.options.leaseTtlMs),
      );
      for (const [id, token] of leases) {
        const run = this.active.get(id);
        if (run && !held.has(id)) this.halt(run, new SagaLeaseLostError(id, token));
      }
    } catch (error) {
      this.logger.warn(`Saga lease renewal failed: ${(error as Error).message}`);
    }
  }

  /**
   * The start-up check, bounded: a database that hangs (rather than refuses)
   * must not hold the application's start. A twin found later is reported.
   */
  private async refuseLiveTwinWithin(limitMs: number): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const check = this.refuseLiveTwin();
    const late = new Promise<'late'>((resolve) => {
      timer = setTimeout(() => resolve('late'), limitMs);
      timer.unref();
    });
    try {
      if ((await Promise.race([check, late])) !== 'late') return;
    } catch (error) {
      // Refused: our own heartbeat row must not look like a live twin to the other
      // process; unless sagas started before bootstrap still run here.
      if (this.active.size === 0 && this.executing.size === 0) {
        await this.storage.retireIncarnation(this.incarnation).catch(() => undefined);
      }
      throw error;
    } finally {
      clearTimeout(timer);
    }
    this.logger.warn(
      `Saga heartbeat did not answer within ${limitMs} ms at start-up; starting anyway.`,
    );
    check.catch((error: unknown) => this.logger.error((error as Error).message));
  }

  /**
   * Start-up check for a second live process with our `instanceId`. Another
   * incarnation whose heartbeat has not lapsed is either our predecessor,
   * killed less than a lease ago, or a live twin; only a twin keeps beating.
   * Watching for a little over two beats tells them apart: a beat refuses the
   * start, silence means a dead predecessor. An unreachable storage does not
   * block the start; the periodic heartbeat then reports a twin loudly.
   */
  private async refuseLiveTwin(): Promise<void> {
    try {
      await this.beat();
      const deadline = Date.now() + TWIN_WATCH_MS;
      while (this.otherBeats.size > 0 && Date.now() < deadline) {
        if (!(await sleep(this.heartbeatIntervalMs / 2, this.shutdown.signal))) return;
        const twin = await this.beat();
        if (twin) throw new SagaInstanceIdInUseError(this.instanceId, twin.incarnation);
      }
    } catch (error) {
      if (isCelloError(error, SagaInstanceIdInUseError.code)) throw error;
      this.logger.warn(
        `Saga heartbeat failed at start-up (${(error as Error).message}); starting anyway.`,
      );
    }
  }

  /** Beats often enough that a lease-long stall, not a late timer, lapses the heartbeat. */
  private get heartbeatIntervalMs(): number {
    return Math.max(
      20,
      Math.min(MAX_HEARTBEAT_INTERVAL_MS, Math.floor(this.options.leaseTtlMs / 3)),
    );
  }

  /** The periodic heartbeat: a twin found later is reported loudly (refusal is for start-up). */
  private async heartbeat(): Promise<void> {
    if (this.stopped) return;
    try {
      const twin = await this.beat();
      if (twin && !this.reportedTwins.has(twin.incarnation)) {
        this.reportedTwins.add(twin.incarnation);
        this.logger.error(
          `${new SagaInstanceIdInUseError(this.instanceId, twin.incarnation).message} ` +
            'Both keep running: neither takes the sagas the other holds while its lease is live.',
        );
      }
    } catch (error) {
      this.logger.warn(`Saga heartbeat failed: ${(error as Error).message}`);
    }
  }

  /** Sends our heartbeat; resolves with a twin (another incarnation of our instanceId whose beats grew). */
  private async beat(): Promise<SagaIncarnationBeat | undefined> {
    const { expired, others } = await this.storage.heartbeat(
      this.instanceId,
      this.incarnation,
      this.options.leaseTtlMs,
    );
    if (expired) this.reincarnate();
    let twin: SagaIncarnationBeat | undefined;
    for (const other of others) {
      const before = this.otherBeats.get(other.incarnation);
      if (before !== undefined && other.beats > before) twin ??= other;
    }
    this.otherBeats = new Map(others.map((o) => [o.incarnation, o.beats]));
    return twin;
  }

  /**
   * Our heartbeat lapsed (the event loop or the database stalled for a whole
   * lease): other instances may already treat this process as gone and take
   * its sagas. So it stops driving them, as a lost lease would, and goes on as
   * a new incarnation; recovery hands the sagas to whoever claims them.
   */
  private reincarnate(): void {
    this.logger.error(
      `Saga heartbeat of instance ${this.instanceId} lapsed; its ${this.active.size} saga(s) ` +
        'are left to recovery. Raise `leaseTtl` if the event loop or the database stalls this long.',
    );
    for (const run of this.active.values()) {
      this.halt(run, new SagaLeaseLostError(run.id, run.fencingToken));
    }
    this.currentIncarnation = randomUUID();
  }

  private compiled(type: SagaType): CompiledSaga {
    if (!this.registry.has(type)) {
      // The explicit form is self-contained: register it on first use.
      const candidate = type as unknown as new () => object;
      const decorated = getSagaStepsMetadata(candidate).length > 0;
      const instance = decorated ? undefined : safeInstance(candidate);
      if (instance && Array.isArray((instance as { steps?: unknown }).steps)) {
        const saga = compileSaga(instance, this.options);
        this.registry.register(saga);
        this.logger.warn(
          `Saga "${saga.name}" was not registered; it runs, but a restarted app can only recover it ` +
            'when it is listed in SagaModule.forRoot({ sagas: [...] }) or in providers.',
        );
      }
    }
    return this.registry.get(type);
  }

  private async begin(
    type: SagaType,
    context: object,
    { sagaId }: SagaStartOptions,
  ): Promise<{ run: ActiveRun } | { existing: SagaRecord }> {
    const saga = this.compiled(type);
    if (sagaId !== undefined) checkSagaId(sagaId);
    if (typeof context !== 'object' || context === null || Array.isArray(context)) {
      throw new InvalidSagaContextError(saga.name, 'must be a plain object.');
    }
    // Refused before anything is written: what the storage could not store as given.
    const refused = unstorableContext(saga.name, context);
    if (refused) throw refused;
    const copy = JSON.parse(JSON.stringify(context)) as SagaContext;
    const machine = SagaMachineHandle.create(saga.machine);
    const first = machine.apply({ type: 'start', nowMs: Date.now() });
    const run: ActiveRun = {
      saga,
      id: sagaId ?? randomUUID(),
      fencingToken: 1,
      machine,
      stateJson: first.stateJson,
      status: first.status,
      next: first.command,
      context: copy,
      stop: new AbortController(),
    };
    const created = await this.storage.create(
      writeOf(
        {
          id: run.id,
          sagaName: saga.name,
          status: first.status,
          context: copy,
          owner: this.options.instanceId,
          incarnation: this.incarnation,
          fencingToken: 1,
          leaseTtlMs: this.options.leaseTtlMs,
        },
        first.stateJson,
      ),
    );
    if (created) return { run };
    const existing = await this.storage.load(run.id);
    if (!existing) throw new SagaNotFoundError(run.id);
    if (existing.sagaName !== saga.name) {
      throw new SagaIdConflictError(run.id, existing.sagaName, saga.name);
    }
    return { existing };
  }

  /**
   * The result of a saga started earlier (by this or another instance): waits,
   * polling its stored state, until it is terminal.
   */
  private async outcomeOf(record: SagaRecord): Promise<SagaResult> {
    let current = record;
    for (let delayMs = OUTCOME_POLL_MIN_MS; !isTerminal(current.status);) {
      if (!(await sleep(delayMs, this.shutdown.signal))) {
        throw new SagaRunnerStoppedError(record.id);
      }
      delayMs = Math.min(delayMs * 2, OUTCOME_POLL_MAX_MS);
      current = (await this.storage.load(record.id)) ?? current;
    }
    if (current.status === 'corrupt') {
      throw new SagaCorruptError(current.id, current.sagaName, corruptReason(current));
    }
    return this.resultOf(this.resume(current));
  }

  private resume(record: SagaRecord): ActiveRun {
    const saga = this.registry.findByName(record.sagaName);
    if (!saga) throw new UnknownSagaError(record.sagaName);
    const problem = storedStateProblem(record.state);
    if (problem !== undefined) throw new SagaCorruptError(record.id, record.sagaName, problem);
    checkSameSteps(record, saga);
    const stateJson = JSON.stringify(record.state);
    return {
      saga,
      id: record.id,
      fencingToken: record.fencingToken,
      machine: SagaMachineHandle.fromStateJson(stateJson),
      stateJson,
      status: record.status,
      context: record.context,
      stop: new AbortController(),
    };
  }

  private background(run: ActiveRun, event?: SagaMachineEvent): void {
    this.track(this.drive(run, event)).catch((error: unknown) => {
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

  private halt(run: ActiveRun, reason: Error): void {
    run.stopReason ??= reason;
    run.stop.abort();
  }

  /** Applies events until the machine says finish: save, then act, repeatedly. */
  private async drive(run: ActiveRun, firstEvent?: SagaMachineEvent): Promise<SagaResult> {
    this.active.set(run.id, run);
    this.metrics.sagasInFlight?.inc({ saga: run.saga.name });
    try {
      let command = run.next;
      if (firstEvent) command = await this.apply(run, firstEvent);
      for (;;) {
        if (!command || command.type === 'finish') return this.resultOf(run);
        if (!(await sleep(command.delayMs, run.stop.signal))) throw this.stopError(run);
        const event =
          command.type === 'run_step'
            ? await this.runStep(run, command.index, command.attempt)
            : await this.runCompensation(run, command.index, command.attempt);
        command = await this.apply(run, event);
      }
    } finally {
      // A newer driver of the same saga (our own re-claim after a stall) keeps its entry.
      if (this.active.get(run.id) === run) this.active.delete(run.id);
      this.metrics.sagasInFlight?.dec({ saga: run.saga.name });
    }
  }

  /** One transition, saved (fenced) before anything else happens. */
  private async apply(run: ActiveRun, event: SagaMachineEvent): Promise<SagaCommand | undefined> {
    if (run.stop.signal.aborted) throw this.stopError(run);
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
        next.stateJson,
      ),
    );
    if (!saved) {
      this.halt(run, new SagaLeaseLostError(run.id, run.fencingToken));
      throw this.stopError(run);
    }
    run.stateJson = next.stateJson;
    run.status = next.status;
    run.next = next.command;
    this.record(run, event, next.command);
    return next.command;
  }

  /**
   * Saves a transition, retrying while the storage is unreachable: the saga
   * waits (no action runs unsaved) and resumes as soon as the database is
   * back. If our lease lapsed meanwhile and another instance took the saga,
   * the fenced write says so and we stop.
   */
  private async saveWithRetry(run: ActiveRun, write: SagaWrite): Promise<boolean> {
    for (let attempt = 0; ; attempt += 1) {
      try {
        return await this.storage.save(write);
      } catch (error) {
        if (!isCelloError(error, SagaStorageUnavailableError.code)) throw error;
        if (attempt === 0) {
          this.logger.warn(`Saga ${run.id} waits for its storage: ${error.message}`);
        }
        const delay = Math.min(2000, 50 * 2 ** Math.min(attempt, 6));
        if (!(await sleep(delay, run.stop.signal))) throw this.stopError(run);
      }
    }
  }

  /** Prometheus counters, when CelloMetricsModule is imported. */
  private record(run: ActiveRun, event: SagaMachineEvent, command: SagaCommand | undefined): void {
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

  private stopError(run: ActiveRun): Error {
    return run.stopReason ?? new SagaRunnerStoppedError(run.id);
  }

  private execution(run: ActiveRun, index: number, attempt: number, compensate: boolean) {
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

  private async runStep(run: ActiveRun, index: number, attempt: number): Promise<SagaMachineEvent> {
    const { step, controller, execution } = this.execution(run, index, attempt, false);
    const outcome = await runWithDeadlines(
      () =>
        this.counted(run.id, () => (step.action as (e: SagaStepExecution) => unknown)(execution)),
      controller,
      step.timeoutMs,
      run.machine.deadlineMs,
      run.stop.signal,
    );
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
        throw this.stopError(run);
    }
  }

  private async runCompensation(
    run: ActiveRun,
    index: number,
    attempt: number,
  ): Promise<SagaMachineEvent> {
    const { step, controller, execution } = this.execution(run, index, attempt, true);
    const outcome = await runWithDeadlines(
      () =>
        this.counted(run.id, () =>
          (step.compensate as (e: SagaStepExecution) => unknown)(execution),
        ),
      controller,
      step.timeoutMs,
      null,
      run.stop.signal,
    );
    if (outcome.kind === 'aborted') throw this.stopError(run);
    const refused =
      outcome.kind === 'ok' ? unstorableContext(run.saga.name, execution.context) : undefined;
    if (outcome.kind === 'ok' && !refused) {
      run.context = execution.context;
      return { type: 'compensation_succeeded', index };
    }
    const error =
      refused ??
      (outcome.kind === 'error'
        ? outcome.error
        : new Error(`compensation exceeded its timeout of ${step.timeoutMs} ms`));
    run.lastError = error;
    return {
      type: 'compensation_failed',
      index,
      error: messageOf(error),
      nowMs: Date.now(),
      seed: jitterSeed(),
    };
  }

  /** Runs an action of saga `id`, counted in `executing` until it settles (even after an abort). */
  private counted(id: string, action: () => unknown): Promise<unknown> {
    this.executing.set(id, (this.executing.get(id) ?? 0) + 1);
    const settled = Promise.resolve().then(action);
    const done = () => {
      const left = (this.executing.get(id) ?? 1) - 1;
      if (left > 0) this.executing.set(id, left);
      else this.executing.delete(id);
    };
    void settled.then(done, done);
    return settled;
  }

  private resultOf(run: ActiveRun): SagaResult {
    const { saga } = run;
    const state = JSON.parse(run.stateJson) as SagaMachineState;
    const names = state.definition.steps.map((s) => s.name);
    const failed = state.failedStep ?? undefined;
    const actionDone = (i: number) =>
      i !== failed &&
      ['completed', 'compensating', 'compensated', 'compensation_failed'].includes(
        state.steps[i].status,
      );
    const stepsCompleted = names.filter((_, i) => actionDone(i));
    const compensatedSteps = names
      .map((name, i) => ({ name, i }))
      .filter(
        ({ i }) =>
          state.definition.steps[i].hasCompensation && state.steps[i].status === 'compensated',
      )
      .reverse()
      .map(({ name }) => name);
    const failedName = failed === undefined ? undefined : names[failed];
    const reason = state.error ?? 'unknown cause';
    let error: Error | undefined;
    if (state.status === 'compensation_failed') {
      const index = state.steps.findIndex((s) => s.status === 'compensation_failed');
      error = new SagaCompensationFailedError(saga.name, run.id, names[index], reason, {
        cause: run.lastError,
      });
    } else if (state.status === 'timed_out') {
      error = new SagaTimeoutError(saga.name, run.id, failedName, reason);
    } else if (state.status === 'compensated') {
      error = new SagaStepFailedError(saga.name, run.id, failedName ?? '?', reason, {
        cause: run.lastError,
      });
    }
    return {
      success: state.status === 'completed',
      sagaId: run.id,
      status: state.status,
      stepsCompleted,
      failedStep: failedName,
      error,
      compensatedSteps,
      timedOut: state.timedOut,
      context: run.context,
    };
  }
}

/** Longest heartbeat period of a runner with recovery on; its row lapses after `leaseTtl` without a beat. */
const MAX_HEARTBEAT_INTERVAL_MS = 500;
/** How long start-up watches another live-looking incarnation of our instanceId for a beat (4 of its beats at most). */
const TWIN_WATCH_MS = 4 * MAX_HEARTBEAT_INTERVAL_MS + 500;
/** Longest the start-up check may hold the application's start. */
const TWIN_CHECK_LIMIT_MS = TWIN_WATCH_MS + 5000;

/** Polling of a saga run by another caller: from this delay, doubling... */
const OUTCOME_POLL_MIN_MS = 20;
/** ...up to this one. */
const OUTCOME_POLL_MAX_MS = 1000;

function isTerminal(status: SagaStatus): boolean {
  return TERMINAL_SAGA_STATUSES.includes(status);
}

/**
 * Stored progress refers to steps by position: a saga may only be driven by a
 * definition with the same steps, in the same order, with compensations where
 * it had them.
 */
function checkSameSteps(record: SagaRecord, saga: CompiledSaga): void {
  const stored = record.state.definition.steps;
  const current = saga.machine.steps;
  const same =
    stored.length === current.length &&
    stored.every(
      (step, i) =>
        step.name === current[i].name && step.hasCompensation === current[i].hasCompensation,
    );
  if (!same) {
    throw new SagaDefinitionChangedError(
      record.id,
      record.sagaName,
      stored.map((step) => step.name),
      current.map((step) => step.name),
    );
  }
}

/** Refuses a caller-chosen id that the storages cannot key on. */
function checkSagaId(sagaId: unknown): void {
  if (typeof sagaId !== 'string' || sagaId.length === 0) {
    throw new InvalidSagaIdError(sagaId, 'must be a non-empty string.');
  }
  if (sagaId.length > MAX_SAGA_ID_LENGTH || sagaId.includes('\u0000')) {
    throw new InvalidSagaIdError(
      sagaId,
      `must be at most ${MAX_SAGA_ID_LENGTH} characters, without NUL characters.`,
    );
  }
}

/** A write whose state is sent as the JSON the machine produced, parsed only if a backend asks. */
function writeOf<W extends Omit<SagaWrite, 'state' | 'stateJson'>>(
  fields: W,
  stateJson: string,
): W & SagaWrite {
  let parsed: SagaMachineState | undefined;
  return {
    ...fields,
    stateJson,
    get state(): SagaMachineState {
      return (parsed ??= JSON.parse(stateJson) as SagaMachineState);
    },
  };
}

/** The error naming the first value of `context` a storage could not store as given, if any. */
function unstorableContext(sagaName: string, context: object): InvalidSagaContextError | undefined {
  const problem = findUnstorableJsonValue(context);
  return (
    problem &&
    new InvalidSagaContextError(
      sagaName,
      problem.reason,
      formatJsonValuePath('context', problem.path),
    )
  );
}

/** The error's message as stored in the saga state: a message echoing bad input must not poison the write. */
function messageOf(error: unknown): string {
  return toStorableText(error instanceof Error ? error.message : String(error));
}

function safeInstance(type: new () => object): object | undefined {
  try {
    return new type();
  } catch {
    return undefined;
  }
}

/** Why a quarantined (or unreadable) saga's state cannot be read. */
function corruptReason(record: SagaRecord): string {
  return storedStateProblem(record.state) ?? 'it was quarantined as corrupt';
}

function toView(record: SagaRecord): SagaStatusView {
  try {
    if (record.status === 'corrupt') throw new Error('quarantined');
    return readableView(record);
  } catch {
    // A corrupt row must not take the whole list (a dashboard) down with it.
    return {
      sagaId: record.id,
      sagaName: record.sagaName,
      status: record.status,
      steps: [],
      error: `its stored state is unreadable (a corrupt row): ${corruptReason(record)}`,
      timedOut: false,
      context: record.context,
      createdAt: record.createdAt,
      updatedAt: record.updatedAt,
      leaseOwner: record.leaseOwner,
    };
  }
}

function readableView(record: SagaRecord): SagaStatusView {
  const { state } = record;
  const names = state.definition.steps.map((s) => s.name);
  return {
    sagaId: record.id,
    sagaName: record.sagaName,
    status: record.status,
    steps: state.steps.map((s, i) => ({
      name: names[i],
      status: s.status,
      attempts: s.attempts,
      compensationAttempts: s.compensationAttempts,
    })),
    failedStep: state.failedStep === null ? undefined : names[state.failedStep],
    error: state.error ?? undefined,
    timedOut: state.timedOut,
    context: record.context,
    createdAt: record.createdAt,
    updatedAt: record.updatedAt,
    leaseOwner: record.leaseOwner,
  };
}
