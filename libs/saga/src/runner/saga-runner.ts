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
import { SagaRegistry } from '../definition/saga-registry';
import type { SagaContext } from '../definition/saga-step-execution';
import { InvalidSagaContextError } from '../errors/invalid-saga-context.error';
import { InvalidSagaStateError } from '../errors/invalid-saga-state.error';
import { SagaCorruptError } from '../errors/saga-corrupt.error';
import { SagaIdConflictError } from '../errors/saga-id-conflict.error';
import { SagaNotFoundError } from '../errors/saga-not-found.error';
import { SagaRunnerStoppedError } from '../errors/saga-runner-stopped.error';
import { SagaMachineHandle } from '../machine/saga-machine-handle';
import { TERMINAL_SAGA_STATUSES, type SagaStatus } from '../machine/saga-machine.types';
import { SAGA_MODULE_OPTIONS, SAGA_STORAGE } from '../saga.constants';
import type { ResolvedSagaOptions } from '../saga-module-options';
import type { SagaRecord, SagaStorage } from '../storage/saga-storage';
import type { ActiveSagaRun } from './active-saga-run';
import { resumeSagaRun } from './resume-saga-run';
import { sleep } from './run-with-deadlines';
import { SagaExecutor } from './saga-executor';
import { SagaInstanceHeartbeat, TWIN_CHECK_LIMIT_MS } from './saga-instance-heartbeat';
import { SagaMetricsRecorder } from './saga-metrics-recorder';
import { SagaRecovery } from './saga-recovery';
import type { SagaResult, SagaStatusView } from './saga-result';
import { corruptReason, toSagaResult, toSagaStatusView } from './saga-result-mapping';
import type { SagaStartOptions } from './saga-start-options';
import { originHere, withOrigin } from './saga-origin';
import { checkSagaId, unstorableContext, writeOf } from './saga-writes';

type SagaType = abstract new (...args: never[]) => object;

/** Polling of a saga run by another caller: from this delay, doubling... */
const OUTCOME_POLL_MIN_MS = 20;
/** ...up to this one. */
const OUTCOME_POLL_MAX_MS = 1000;

/**
 * Runs sagas: `execute` (wait for the result), `start` (get the id at once),
 * `getStatus`, `list`, `retryCompensation`. The executor drives them (every
 * transition decided by the Rust state machine and saved, fenced by this
 * instance's lease, before the next action starts); recovery takes abandoned
 * sagas on start-up and periodically and keeps the leases; the heartbeat
 * proves this process alive.
 */
@Injectable()
export class SagaRunner implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('SagaRunner');
  private readonly executor: SagaExecutor;
  private readonly heartbeat: SagaInstanceHeartbeat;
  private readonly recovery: SagaRecovery;
  private stopped = false;
  /** Aborted on shutdown: ends waits for other instances' sagas. */
  private readonly shutdown = new AbortController();

  constructor(
    private readonly registry: SagaRegistry,
    @Inject(SAGA_STORAGE) private readonly storage: SagaStorage,
    @Inject(SAGA_MODULE_OPTIONS) private readonly options: ResolvedSagaOptions,
    @Optional() metrics: CelloMetrics = CelloMetrics.disabled,
  ) {
    const recorder = new SagaMetricsRecorder(metrics);
    this.executor = new SagaExecutor(storage, options, recorder, this.logger);
    this.heartbeat = new SagaInstanceHeartbeat(
      storage,
      options,
      this.executor,
      this.logger,
      this.shutdown.signal,
    );
    this.recovery = new SagaRecovery(
      registry,
      storage,
      options,
      this.executor,
      this.heartbeat,
      recorder,
      this.logger,
    );
  }

  /** Identity of this instance in lease rows. */
  get instanceId(): string {
    return this.options.instanceId;
  }

  /** This process's random token in lease rows and in its heartbeat row. */
  get incarnation(): string {
    return this.heartbeat.incarnation;
  }

  /**
   * Refuses to start beside a live process with the same `instanceId`
   * (`SagaInstanceIdInUseError`), then recovers abandoned sagas and starts the
   * lease renewals and the heartbeat.
   */
  async onApplicationBootstrap(): Promise<void> {
    if (!this.options.recovery) return;
    await this.heartbeat.refuseLiveTwinWithin(TWIN_CHECK_LIMIT_MS);
    if (this.stopped) return; // closed while it watched: start no timers
    // Leases of a predecessor with our instanceId are not ours to take at once:
    // recovery takes them when they expire or its heartbeat lapses, like anyone's.
    this.heartbeat.start();
    this.recovery.start();
  }

  /** Nest hook: halts the running sagas (recovered on the next start) and closes the storage. */
  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    this.shutdown.abort();
    this.recovery.stop();
    this.heartbeat.stop();
    this.executor.haltAll((run) => new SagaRunnerStoppedError(run.id));
    await this.recovery.scanned();
    await this.executor.settled();
    // Takes our sagas' leases from us at once, not after they expire. Not while an
    // aborted action may still be executing: its effect could land after the successor's.
    if (this.options.recovery && this.executor.noActionExecuting) await this.heartbeat.retire();
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
    return this.executor.execute(begun.run) as Promise<SagaResult<C>>;
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
    this.executor.background(begun.run);
    return begun.run.id;
  }

  /** Where a saga stands; `SagaNotFoundError` for an unknown id. */
  async getStatus(sagaId: string): Promise<SagaStatusView> {
    const record = await this.storage.load(sagaId);
    if (!record) throw new SagaNotFoundError(sagaId);
    return toSagaStatusView(record);
  }

  /** Sagas for a dashboard, newest first. */
  async list(
    query: { status?: SagaStatus | SagaStatus[]; sagaName?: string; limit?: number } = {},
  ) {
    return (await this.storage.list(query)).map(toSagaStatusView);
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
    let run: ActiveSagaRun;
    try {
      run = resumeSagaRun(this.registry, record);
    } catch (error) {
      if (isCelloError(error, SagaCorruptError.code)) await this.recovery.quarantine(record, error);
      throw error;
    }
    return this.executor.execute(run, { type: 'retry_compensation' });
  }

  /**
   * Claims abandoned sagas once and drives them; the periodic scan calls it
   * too. Never takes a saga this process drives, nor a live lease of another
   * process, even one with our `instanceId`: a lease is taken when it expired
   * or its process is proven gone (heartbeat lapsed, or retired on a graceful
   * stop). The argument is accepted for compatibility and widens nothing.
   */
  async recoverAbandoned(_ownedBy?: string): Promise<number> {
    return this.recovery.recoverAbandoned();
  }

  private async begin(
    type: SagaType,
    context: object,
    { sagaId }: SagaStartOptions,
  ): Promise<{ run: ActiveSagaRun } | { existing: SagaRecord }> {
    const saga = this.registry.getOrRegister(type, this.options);
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
    const run: ActiveSagaRun = {
      saga,
      id: sagaId ?? randomUUID(),
      fencingToken: 1,
      machine,
      stateJson: first.stateJson,
      status: first.status,
      next: first.command,
      context: copy,
      stop: new AbortController(),
      // Kept with the saga: another instance recovering it carries the same correlation on.
      origin: originHere(),
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
        withOrigin(first.stateJson, run.origin),
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
    for (let delayMs = OUTCOME_POLL_MIN_MS; !TERMINAL_SAGA_STATUSES.includes(current.status);) {
      if (!(await sleep(delayMs, this.shutdown.signal))) {
        throw new SagaRunnerStoppedError(record.id);
      }
      delayMs = Math.min(delayMs * 2, OUTCOME_POLL_MAX_MS);
      current = (await this.storage.load(record.id)) ?? current;
    }
    if (current.status === 'corrupt') {
      throw new SagaCorruptError(current.id, current.sagaName, corruptReason(current));
    }
    return toSagaResult(resumeSagaRun(this.registry, current));
  }
}
