import { randomUUID } from 'node:crypto';
import type { Logger } from '@nestjs/common';
import { isCelloError } from '@cello/core';
import { SagaInstanceIdInUseError } from '../errors/saga-instance-id-in-use.error';
import { SagaLeaseLostError } from '../errors/saga-lease-lost.error';
import type { ResolvedSagaOptions } from '../saga-module-options';
import type { SagaIncarnationBeat, SagaStorage } from '../storage/saga-storage';
import { sleep } from './run-with-deadlines';
import type { SagaExecutor } from './saga-executor';

/** Longest heartbeat period of a runner with recovery on; its row lapses after `leaseTtl` without a beat. */
const MAX_HEARTBEAT_INTERVAL_MS = 500;
/** How long start-up watches another live-looking incarnation of our instanceId for a beat (4 of its beats at most). */
const TWIN_WATCH_MS = 4 * MAX_HEARTBEAT_INTERVAL_MS + 500;
/** Longest the start-up check may hold the application's start. */
export const TWIN_CHECK_LIMIT_MS = TWIN_WATCH_MS + 5000;

/**
 * This process's heartbeat row: proof to other instances that it is alive (a
 * lapsed row lets them take its sagas before their leases expire), and how a
 * second live process with the same `instanceId` is told apart from a dead
 * predecessor.
 */
export class SagaInstanceHeartbeat {
  /**
   * This process among all that ever ran with our `instanceId`: written in
   * every lease it takes, so that a restarted instance does not mistake its
   * predecessor's leases (or a live twin's) for its own.
   */
  private currentIncarnation = randomUUID();
  /** Beats last seen of the other incarnations of our `instanceId`: one that grows is alive. */
  private otherBeats = new Map<string, number>();
  private readonly reportedTwins = new Set<string>();
  private timer?: NodeJS.Timeout;
  private stopped = false;

  constructor(
    private readonly storage: SagaStorage,
    private readonly options: ResolvedSagaOptions,
    private readonly executor: SagaExecutor,
    private readonly logger: Logger,
    /** Aborted on shutdown: ends the start-up watch. */
    private readonly shutdown: AbortSignal,
  ) {}

  get incarnation(): string {
    return this.currentIncarnation;
  }

  private get instanceId(): string {
    return this.options.instanceId;
  }

  /** Beats periodically from now on. */
  start(): void {
    this.timer = setInterval(() => void this.heartbeat(), this.intervalMs);
    this.timer.unref();
  }

  stop(): void {
    this.stopped = true;
    clearInterval(this.timer);
  }

  /**
   * Proof that this process is gone, so that its successor (or any instance)
   * takes its sagas at once instead of after the lease.
   */
  async retire(): Promise<void> {
    await this.storage.retireIncarnation(this.incarnation).catch((error: unknown) => {
      this.logger.warn(`Saga heartbeat not retired: ${(error as Error).message}`);
    });
  }

  /**
   * The start-up check, bounded: a database that hangs (rather than refuses)
   * must not hold the application's start. A twin found later is reported.
   */
  async refuseLiveTwinWithin(limitMs: number): Promise<void> {
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
      if (this.executor.idle) {
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
        if (!(await sleep(this.intervalMs / 2, this.shutdown))) return;
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
  private get intervalMs(): number {
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
      `Saga heartbeat of instance ${this.instanceId} lapsed; its ${this.executor.active.size} saga(s) ` +
        'are left to recovery. Raise `leaseTtl` if the event loop or the database stalls this long.',
    );
    this.executor.haltAll((run) => new SagaLeaseLostError(run.id, run.fencingToken));
    this.currentIncarnation = randomUUID();
  }
}
