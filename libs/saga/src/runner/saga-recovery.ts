import type { Logger } from '@nestjs/common';
import { isCelloError } from '@cello/core';
import { LeaseKeeper } from '@cello/core/internal';
import type { SagaRegistry } from '../definition/saga-registry';
import { SagaCorruptError } from '../errors/saga-corrupt.error';
import { SagaDefinitionChangedError } from '../errors/saga-definition-changed.error';
import { SagaLeaseLostError } from '../errors/saga-lease-lost.error';
import { jitterSeed } from '../machine/saga-machine';
import type { ResolvedSagaOptions } from '../saga-module-options';
import type { SagaRecord, SagaStorage } from '../storage/saga-storage';
import type { ActiveSagaRun } from './active-saga-run';
import { resumeSagaRun } from './resume-saga-run';
import type { SagaExecutor } from './saga-executor';
import type { SagaInstanceHeartbeat } from './saga-instance-heartbeat';
import type { SagaMetricsRecorder } from './saga-metrics-recorder';

/**
 * Takes over abandoned sagas (periodically, and once at start-up) and keeps
 * the leases of the sagas driven here: a saga whose renewal is refused is
 * halted, since another instance took it.
 */
export class SagaRecovery {
  private timer?: NodeJS.Timeout;
  private readonly leases: LeaseKeeper;
  private stopped = false;
  private recovering?: Promise<void>;

  constructor(
    private readonly registry: SagaRegistry,
    private readonly storage: SagaStorage,
    private readonly options: ResolvedSagaOptions,
    private readonly executor: SagaExecutor,
    private readonly heartbeat: SagaInstanceHeartbeat,
    private readonly metrics: SagaMetricsRecorder,
    private readonly logger: Logger,
  ) {
    this.leases = new LeaseKeeper({
      renew: () => this.renewLeases(),
      // Never called: a refused lease halts its own saga, and renewals that fail
      // leave the sagas to their fenced writes and the heartbeat (see renewLeases).
      onLost: () => undefined,
      ttlMs: options.leaseTtlMs,
      renewEveryMs: Math.max(30, Math.floor(options.leaseTtlMs / 3)),
    });
  }

  /** Scans now and periodically, and starts the lease renewals. */
  start(): void {
    void this.recoverAbandoned();
    this.timer = setInterval(
      () => void this.recoverAbandoned(),
      Math.max(50, this.options.recoveryIntervalMs),
    );
    this.timer.unref();
    this.leases.start();
  }

  /** Stops the scans and the renewals; `scanned` then waits for a scan in progress. */
  stop(): void {
    this.stopped = true;
    clearInterval(this.timer);
    // Not awaited: a renewal in flight may hang on a frozen database; it acts on nothing once stopped.
    void this.leases.stop();
  }

  /** Resolves when no scan is in progress. */
  async scanned(): Promise<void> {
    await this.recovering;
  }

  /**
   * Claims abandoned sagas once and drives them. Never takes a saga this
   * process drives, nor a live lease of another process, even one with our
   * `instanceId`: a lease is taken when it expired or its process is proven
   * gone (heartbeat lapsed, or retired on a graceful stop).
   */
  async recoverAbandoned(): Promise<number> {
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
          { incarnation: this.heartbeat.incarnation, busy: this.executor.busyIds() },
        );
        for (const record of records) {
          if (await this.takeOver(record)) count += 1;
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

  /** Drives a claimed saga here; false when it cannot be (logged, or quarantined). */
  private async takeOver(record: SagaRecord): Promise<boolean> {
    if (!this.registry.findByName(record.sagaName)) {
      this.logger.error(
        `Saga ${record.id} is a "${record.sagaName}", which this app does not register; left for another instance.`,
      );
      return false;
    }
    let run: ActiveSagaRun;
    try {
      run = resumeSagaRun(this.registry, record);
    } catch (error) {
      // One saga that cannot be resumed must not stop the recovery of the others in the batch.
      if (isCelloError(error, SagaCorruptError.code)) {
        await this.quarantine(record, error);
        return false;
      }
      this.logger.error(
        isCelloError(error, SagaDefinitionChangedError.code)
          ? error.message
          : `Saga ${record.id} (${record.sagaName}) cannot be recovered: its stored state is unreadable ` +
              `(${(error as Error).message}). Left as it is; fix or remove the row.`,
      );
      return false;
    }
    const stale = this.executor.active.get(record.id);
    if (stale) this.executor.halt(stale, new SagaLeaseLostError(record.id, stale.fencingToken));
    this.logger.log(`Recovering saga ${record.id} (${record.sagaName}, ${record.status})`);
    this.executor.background(run, { type: 'recover', nowMs: Date.now(), seed: jitterSeed() });
    return true;
  }

  /**
   * Sets aside a saga whose stored state cannot be read, so that no instance
   * claims it again (each claim used to end in a crash, or in a log line per
   * scan). Logged and counted once: by the instance whose fenced write did it.
   */
  async quarantine(record: SagaRecord, error: Error): Promise<void> {
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
    this.metrics.quarantined(record.sagaName);
  }

  /**
   * Renews the leases of the sagas driven here in one call and halts those
   * refused. A failed call is logged and tried again at the next period: the
   * fenced writes stop a saga taken meanwhile, and a lease-long stall lapses
   * the heartbeat, which halts them all.
   */
  private async renewLeases(): Promise<boolean> {
    const { active } = this.executor;
    if (active.size === 0 || this.stopped) return true;
    const leases = new Map([...active.values()].map((r) => [r.id, r.fencingToken]));
    try {
      const held = new Set(
        await this.storage.renewLeases(this.options.instanceId, leases, this.options.leaseTtlMs),
      );
      for (const [id, token] of leases) {
        const run = active.get(id);
        if (run && !held.has(id)) this.executor.halt(run, new SagaLeaseLostError(id, token));
      }
    } catch (error) {
      this.logger.warn(`Saga lease renewal failed: ${(error as Error).message}`);
    }
    return true;
  }
}
