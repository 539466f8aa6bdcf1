import type { LoggerService } from '@nestjs/common';
import type { Event } from '../event/event';
import type { EventStorage, ProcessorLease, StoredEvent } from '../store/event-storage';
import { GlobalLogPageReader } from './global-log-page-reader';
import { retryDelayMs } from './retry-backoff';
import { isTransientError } from './transient-error-classifier';
import type { EventBatchItem } from './event-batch';
import type {
  BoundEventBatchHandler,
  HandledEventType,
  SubscriberDefinition,
} from './subscriber-definition';
import type { SubscriptionEnvelope } from './subscription-envelope';
import type { SubscriptionState } from './subscription-status';

/** Turns a stored event into an instance of its class (upcasting older schema versions). */
export type SubscriptionEventDecoder = (stored: StoredEvent) => Event;

/** What a processor needs from its manager. */
export interface SubscriptionProcessorContext {
  readonly storage: EventStorage;
  /** This instance's lease owner id. */
  readonly owner: string;
  readonly decode: SubscriptionEventDecoder;
  readonly logger: LoggerService;
  /** Told how many events the subscriber is behind the log head after each batch and retry (for metrics). */
  readonly reportLag?: (lag: number) => void;
  /** Told when the subscriber starts (true) and stops (false) retrying a failure (for metrics). */
  readonly reportRetrying?: (retrying: boolean) => void;
  /** Told each time the subscriber parks an event (for metrics). */
  readonly reportParked?: () => void;
}

/** What a processor is retrying, while it is. */
export interface SubscriptionRetry {
  /** When the first attempt of the event, batch or storage call it is stuck on failed. */
  readonly since: Date;
  /** Failed attempts so far. */
  readonly attempts: number;
}

/** How a delivery with retries ended. */
type RetryOutcome =
  | { readonly outcome: 'delivered' }
  | { readonly outcome: 'interrupted' }
  /** Failed `maxAttempts` times with errors that are not transient, while the storage answered. */
  | { readonly outcome: 'exhausted'; readonly errorText: string; readonly attempts: number };

/** How long `stop()` waits for a handler in progress before giving up on it. */
const STOP_GRACE_MS = 10_000;
/** Storage failures back off from this delay... */
const STORAGE_RETRY_BASE_MS = 250;
/** ...up to this one (with jitter, at most 1.5×): short enough to resume within seconds of the storage's return. */
const STORAGE_RETRY_CAP_MS = 2000;

type Delivery = 'delivered' | 'parked' | 'stop' | 'interrupted';

/** A stored event of a read page with what handles it. */
interface PageEvent {
  readonly stored: StoredEvent;
  readonly handled: HandledEventType;
}

/** A page read ahead while the previous one is being handled. */

/** True when the type goes to `@EventBatchHandler` methods. */
function isBatched(handled: HandledEventType): boolean {
  return handled.batchHandlers !== undefined && handled.batchHandlers.length > 0;
}

/**
 * Feeds one subscriber from the global log: holds its lease (one active
 * processor per subscriber across instances), reads in batches after the
 * durable checkpoint, delivers the handled event types in position order with
 * retries, parks what keeps failing, and writes the checkpoint (fenced) after
 * each batch. Storage failures never end it: it logs, backs off and retries.
 *
 * Types handled by `@EventBatchHandler` methods go to them a run at a time:
 * the consecutive batch-handled events of a page (up to the next per-event
 * handled one). A run that still fails after its attempts is re-delivered one
 * event at a time, so only the event that keeps failing is parked. While a
 * full page is handled, the next one is read (prefetch): catch-up then runs at
 * the slower of reading and handling instead of their sum.
 */
export class SubscriptionProcessor {
  private currentState: SubscriptionState = 'stopped';
  private currentCheckpoint = 0;
  private lastErrorText?: string;
  private lease?: ProcessorLease;
  private leaseLost = false;
  private renewTimer?: NodeJS.Timeout;
  private renewing = false;
  private loop?: Promise<void>;
  private stopping = false;
  /** `start()` was called while the loop was ending. */
  private restartWhenEnded = false;
  /** A wake-up arrived while the processor was busy: skip the next idle wait. */
  private pendingWake = false;
  private readonly idleWakers = new Set<() => void>();
  private readonly stopWakers = new Set<() => void>();
  private readonly progressListeners = new Set<() => void>();
  /** Events of this subscriber parked earlier and not yet past the checkpoint: position -> parked id. */
  private parkedAhead = new Map<number, number>();
  /** Reads the pages, the next one while the current one is handled. */
  private readonly pages: GlobalLogPageReader;
  /** The head-position query of the lag metric, while in flight. */
  private lagQuery?: Promise<void>;
  /** While retrying a failure: when it began (epoch ms), and the failed attempts. */
  private retryStartedAt?: number;
  private retryAttempts = 0;

  constructor(
    readonly definition: SubscriberDefinition,
    private readonly context: SubscriptionProcessorContext,
  ) {
    this.pages = new GlobalLogPageReader(context.storage, () => this.settings.batchSize);
  }

  get name(): string {
    return this.definition.name;
  }

  get state(): SubscriptionState {
    return this.currentState;
  }

  /** The last position finished, as known by this instance. */
  get checkpoint(): number {
    return this.currentCheckpoint;
  }

  get lastError(): string | undefined {
    return this.lastErrorText;
  }

  /** What it is retrying now (a failing event or batch, or the unreachable storage), if anything. */
  get retrying(): SubscriptionRetry | undefined {
    if (this.retryStartedAt === undefined) return undefined;
    return { since: new Date(this.retryStartedAt), attempts: this.retryAttempts };
  }

  /** True while this instance holds the lease and feeds the subscriber. */
  get isActive(): boolean {
    return this.lease !== undefined && !this.leaseLost && this.currentState === 'running';
  }

  /** Starts the loop (no-op when it runs). Never waits for the storage. */
  start(): void {
    if (this.loop) {
      // A loop that is ending (it failed, or is stopping) still settles its reads
      // and releases its lease: start again once it has, rather than not at all.
      if (this.currentState === 'failed' || this.stopping) this.restartWhenEnded = true;
      return;
    }
    this.stopping = false;
    this.restartWhenEnded = false;
    this.currentState = 'standby';
    this.loop = this.run().finally(() => {
      this.loop = undefined;
      if (this.restartWhenEnded) this.start();
    });
  }

  /** Stops after the event (or batch) in progress, writes nothing more and releases the lease. */
  async stop(): Promise<void> {
    const loop = this.loop;
    if (!loop) {
      if (this.currentState !== 'failed') this.currentState = 'stopped';
      return;
    }
    this.stopping = true;
    this.restartWhenEnded = false;
    for (const wake of [...this.idleWakers, ...this.stopWakers]) wake();
    let timer: NodeJS.Timeout | undefined;
    const grace = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, STOP_GRACE_MS);
      timer.unref();
    });
    await Promise.race([loop, grace]);
    clearTimeout(timer);
  }

  /** Forgets the known checkpoint after the durable one was moved back (while stopped). */
  checkpointMovedTo(position: number): void {
    this.currentCheckpoint = position;
    this.parkedAhead.clear();
    this.pages.drop();
    this.notifyProgress();
  }

  /** New events may be there: read now instead of at the next poll. */
  wake(): void {
    this.pendingWake = true;
    for (const wake of this.idleWakers) wake();
  }

  /** Calls `listener` whenever the checkpoint or state changes. Returns an unsubscribe function. */
  onProgress(listener: () => void): () => void {
    this.progressListeners.add(listener);
    return () => this.progressListeners.delete(listener);
  }

  /** Delivers one event once, outside the loop (replay of a parked event). Throws what the handler throws. */
  async deliverOnce(stored: StoredEvent): Promise<boolean> {
    const handled = this.definition.handledTypes.get(stored.type);
    if (!handled) return false;
    await this.invoke(stored, handled, 1);
    return true;
  }

  private async run(): Promise<void> {
    let storageFailures = 0;
    try {
      while (!this.stopping) {
        try {
          if (this.leaseLost) this.dropLease('the lease was taken over by another instance');
          if (!this.lease && !(await this.takeLease())) {
            storageFailures = 0;
            this.clearRetrying();
            this.setState('standby');
            await this.idle(Math.min(this.settings.pollIntervalMs, this.settings.leaseTtlMs / 4));
            continue;
          }
          const outcome = await this.processBatch();
          storageFailures = 0;
          this.clearRetrying();
          if (outcome === 'failed') return;
          if (outcome === 'idle') await this.idle(this.settings.pollIntervalMs);
        } catch (error) {
          storageFailures += 1;
          this.lastErrorText = describeError(error);
          this.noteFailure(storageFailures);
          this.context.logger.warn?.(
            `Subscriber "${this.name}" cannot reach the event storage (attempt ${storageFailures}), ` +
              `retrying: ${this.lastErrorText}`,
          );
          await this.pause(
            retryDelayMs(storageFailures, STORAGE_RETRY_BASE_MS, STORAGE_RETRY_CAP_MS),
          );
        }
      }
    } finally {
      // Let reads still in flight settle, so nothing touches the storage after stop().
      await Promise.all([this.pages.settle(), this.lagQuery]);
      await this.releaseLease();
      if (this.currentState !== 'failed') this.setState('stopped');
    }
  }

  private get settings() {
    return this.definition.settings;
  }

  /** Tries to take the lease; on success loads the checkpoint and starts renewing. */
  private async takeLease(): Promise<boolean> {
    const { storage, owner } = this.context;
    const lease = await storage.acquireLease(this.name, owner, this.settings.leaseTtlMs);
    if (!lease) return false;
    let checkpoint = lease.checkpoint;
    if (!lease.hasCheckpoint) {
      // Its very first run: `startFrom` applies, and is stored at once (also 0), so
      // neither a restart nor a reset to 0 (a rebuild) applies it again.
      const { startFrom } = this.settings;
      const start =
        startFrom === 'beginning'
          ? 0
          : startFrom === 'end'
            ? await storage.headPosition()
            : startFrom;
      if (!(await storage.storeCheckpoint(lease, start))) return false;
      checkpoint = start;
    }
    const parked = await storage.listParked(this.name);
    this.parkedAhead = new Map(
      parked.filter((p) => p.position > checkpoint).map((p) => [p.position, p.id]),
    );
    this.lease = lease;
    this.leaseLost = false;
    this.pages.drop();
    this.currentCheckpoint = checkpoint;
    this.startRenewing();
    this.setState('running');
    this.context.logger.log?.(
      `Subscriber "${this.name}" runs here from position ${checkpoint} (fencing token ${lease.fencingToken})`,
    );
    return true;
  }

  /** Reads one batch after the checkpoint, delivers it and writes the checkpoint. */
  private async processBatch(): Promise<'progressed' | 'idle' | 'failed'> {
    const lease = this.lease!;
    const batch = await this.pages.read(this.currentCheckpoint + 1);
    if (batch.length === 0) {
      this.context.reportLag?.(0);
      return 'idle';
    }
    const last = batch[batch.length - 1].position;
    // A full page means more is likely there: read it while this one is handled.
    if (batch.length >= this.settings.batchSize) this.pages.readAhead(last + 1);

    let finished = this.currentCheckpoint;
    let failed = false;
    /** Up to this index, batch-handled events go one at a time (their run failed as a whole). */
    let isolateUntil = 0;
    for (let i = 0; i < batch.length;) {
      if (this.stopping || this.leaseLost) break;
      const stored = batch[i];
      const handled = this.definition.handledTypes.get(stored.type);
      if (handled && isBatched(handled) && i >= isolateUntil) {
        const end = this.runEnd(batch, i);
        const run = this.handledIn(batch, i, end);
        if (run.length > 1) {
          const delivery = await this.deliverRun(run);
          if (delivery === 'interrupted') break;
          if (delivery === 'delivered') {
            finished = batch[end - 1].position;
            i = end;
            continue;
          }
          isolateUntil = end;
        }
      }
      if (handled) {
        const delivery = await this.deliver(stored, handled);
        if (delivery === 'interrupted') break;
        if (delivery === 'stop') {
          failed = true;
          break;
        }
      }
      finished = stored.position;
      i += 1;
    }

    if (finished !== last) this.pages.drop();
    if (finished > this.currentCheckpoint) {
      if (!(await this.context.storage.storeCheckpoint(lease, finished))) {
        this.pages.drop();
        this.dropLease('its checkpoint write was fenced off: another instance took the lease');
        return 'progressed';
      }
      this.currentCheckpoint = finished;
      for (const position of this.parkedAhead.keys()) {
        if (position <= finished) this.parkedAhead.delete(position);
      }
      this.notifyProgress();
      this.measureLag(batch.length);
    }
    if (failed) {
      this.setState('failed');
      return 'failed';
    }
    return 'progressed';
  }

  /** Index after the run of batch-handled events starting at `start` (stops at a per-event type). */
  private runEnd(batch: readonly StoredEvent[], start: number): number {
    let end = start;
    while (end < batch.length) {
      const handled = this.definition.handledTypes.get(batch[end].type);
      if (handled && !isBatched(handled)) break;
      end += 1;
    }
    return end;
  }

  /** The handled events of `batch[start, end)`. */
  private handledIn(batch: readonly StoredEvent[], start: number, end: number): PageEvent[] {
    const run: PageEvent[] = [];
    for (let i = start; i < end; i++) {
      const handled = this.definition.handledTypes.get(batch[i].type);
      if (handled) run.push({ stored: batch[i], handled });
    }
    return run;
  }

  // A short batch means the processor reached the readable head; only a full one
  // (still catching up) costs the extra head query, which runs beside the next
  // batch instead of before it (a metric may lag one batch behind).
  private measureLag(batchLength: number): void {
    const report = this.context.reportLag;
    if (!report) return;
    if (batchLength < this.settings.batchSize) {
      report(0);
      return;
    }
    this.refreshLag();
  }

  /** Reports `head - checkpoint` once the head is read (one query in flight at most). */
  private refreshLag(): void {
    const report = this.context.reportLag;
    if (!report || this.lagQuery) return;
    this.lagQuery = this.context.storage
      .headPosition()
      .then((head) => report(Math.max(0, head - this.currentCheckpoint)))
      .catch(() => undefined)
      .finally(() => {
        this.lagQuery = undefined;
      });
  }

  /** Notes a failed attempt: the first one starts the stall, and every one refreshes the lag metric. */
  private noteFailure(attempts: number): void {
    if (this.retryStartedAt === undefined) {
      this.retryStartedAt = Date.now();
      this.context.reportRetrying?.(true);
    }
    this.retryAttempts = attempts;
    this.refreshLag();
  }

  private clearRetrying(): void {
    if (this.retryStartedAt === undefined) return;
    this.retryStartedAt = undefined;
    this.retryAttempts = 0;
    this.context.reportRetrying?.(false);
  }

  /** The subscriber's own classification first (`isTransient`), then Cello's. */
  private isTransient(error: unknown): boolean {
    const own = this.settings.isTransient;
    if (own) {
      try {
        const verdict = own(error);
        if (verdict !== undefined) return verdict;
      } catch (classifierError) {
        this.context.logger.warn?.(
          `Subscriber "${this.name}": its isTransient threw (${describeError(classifierError)}); ` +
            "Cello's classification applies",
        );
      }
    }
    return isTransientError(error);
  }

  /** True when the event storage answers a ping: an error met meanwhile is the event's, not an outage's. */
  private async storageAnswers(): Promise<boolean> {
    try {
      await this.context.storage.ping();
      return true;
    } catch {
      return false;
    }
  }

  /**
   * Calls `attemptOnce` until it resolves. Transient errors (see `isTransient`)
   * are retried without limit; the others `maxAttempts` times, and only while
   * the event storage answers: an error met while it does not may be the same
   * outage, so it is retried rather than trusted to be the event's fault.
   * Backoff: doubling from `retryDelayMs`, capped at `maxRetryDelayMs`, jittered.
   */
  private async withRetries(
    what: string,
    attemptOnce: (attempt: number) => Promise<void>,
  ): Promise<RetryOutcome> {
    const { maxAttempts, retryDelayMs: baseDelay, maxRetryDelayMs } = this.settings;
    let lasting = 0;
    try {
      for (let attempt = 1; ; attempt++) {
        try {
          await attemptOnce(attempt);
          return { outcome: 'delivered' };
        } catch (error) {
          const errorText = describeError(error);
          this.lastErrorText = `${what}: ${errorText}`;
          this.noteFailure(attempt);
          const transient = this.isTransient(error);
          if (!transient) lasting += 1;
          if (!transient && lasting >= maxAttempts) {
            if (await this.storageAnswers()) {
              return { outcome: 'exhausted', errorText, attempts: attempt };
            }
            this.context.logger.warn?.(
              `Subscriber "${this.name}" failed ${lasting} times on ${this.lastErrorText}, but the ` +
                'event storage does not answer: not parking it during an outage; retrying',
            );
          } else if (transient ? isLoggedRetry(attempt) : true) {
            this.context.logger.warn?.(
              `Subscriber "${this.name}" failed on ${this.lastErrorText} ` +
                (transient
                  ? `(transient, attempt ${attempt}); retrying until it goes through`
                  : `(attempt ${lasting} of ${maxAttempts}); retrying`),
            );
          }
          await this.pause(retryDelayMs(attempt, baseDelay, maxRetryDelayMs));
          if (this.stopping || this.leaseLost) return { outcome: 'interrupted' };
        }
      }
    } finally {
      this.clearRetrying();
    }
  }

  /**
   * Delivers a run of batch-handled events with retries: every batch method
   * gets its types' events of the run, in position order, one method after the
   * other. 'failed' after the last attempt: the caller isolates the bad event.
   */
  private async deliverRun(
    run: readonly PageEvent[],
  ): Promise<'delivered' | 'failed' | 'interrupted'> {
    const span = `positions ${run[0].stored.position}..${run[run.length - 1].stored.position} (a batch of ${run.length})`;
    const result = await this.withRetries(span, (attempt) => this.invokeBatch(run, attempt));
    if (result.outcome === 'interrupted') return 'interrupted';
    if (result.outcome === 'delivered') {
      await this.unparkDelivered(run);
      return 'delivered';
    }
    this.context.logger.warn?.(
      `Subscriber "${this.name}" failed on ${this.lastErrorText} after ${result.attempts} attempts; ` +
        'delivering its events one at a time to find the one that fails',
    );
    return 'failed';
  }

  /** Events of a delivered run that were parked earlier (and stopped the subscriber) are parked no more. */
  private async unparkDelivered(run: readonly PageEvent[]): Promise<void> {
    if (this.parkedAhead.size === 0) return;
    for (const { stored } of run) {
      const parkedId = this.parkedAhead.get(stored.position);
      if (parkedId === undefined) continue;
      await this.context.storage.removeParked(parkedId);
      this.parkedAhead.delete(stored.position);
    }
  }

  private async invokeBatch(run: readonly PageEvent[], attempt: number): Promise<void> {
    const groups = new Map<BoundEventBatchHandler, EventBatchItem[]>();
    for (const { stored, handled } of run) {
      const item: EventBatchItem = {
        event: this.context.decode(stored),
        envelope: this.envelopeOf(stored, attempt),
      };
      for (const handler of handled.batchHandlers!) {
        const items = groups.get(handler);
        if (items) items.push(item);
        else groups.set(handler, [item]);
      }
    }
    for (const handler of this.definition.batchHandlers ?? []) {
      const items = groups.get(handler);
      if (items) await handler(items);
    }
  }

  /** Delivers with retries; parks the event when it keeps failing (see `withRetries`). */
  private async deliver(stored: StoredEvent, handled: HandledEventType): Promise<Delivery> {
    const { onFailure } = this.settings;
    const where = `position ${stored.position} (${stored.type} in "${stored.streamId}")`;
    const result = await this.withRetries(where, (attempt) =>
      this.invoke(stored, handled, attempt),
    );
    if (result.outcome === 'interrupted') return 'interrupted';
    if (result.outcome === 'delivered') {
      const parkedId = this.parkedAhead.get(stored.position);
      if (parkedId !== undefined) {
        // It failed before and stopped the subscriber; now it went through.
        await this.context.storage.removeParked(parkedId);
        this.parkedAhead.delete(stored.position);
      }
      return 'delivered';
    }
    if (!this.parkedAhead.has(stored.position)) {
      await this.context.storage.parkEvent(this.name, stored, result.errorText, result.attempts);
      this.context.reportParked?.();
    }
    this.context.logger.error?.(
      `Subscriber "${this.name}" parked ${this.lastErrorText} after ${result.attempts} attempts; ` +
        (onFailure === 'stop'
          ? 'it stops here (onFailure: stop). Fix the cause, then restart it with SubscriptionManager.start().'
          : 'moving on. Replay it with SubscriptionManager.replayParked().'),
    );
    return onFailure === 'stop' ? 'stop' : 'parked';
  }

  /** Delivers one event: to its `@EventHandler` methods, or to its batch methods as a batch of one. */
  private async invoke(stored: StoredEvent, handled: HandledEventType, attempt: number) {
    if (isBatched(handled)) {
      await this.invokeBatch([{ stored, handled }], attempt);
      return;
    }
    const event = this.context.decode(stored);
    const envelope = this.envelopeOf(stored, attempt);
    for (const handler of handled.handlers) await handler(event, envelope);
  }

  private envelopeOf(stored: StoredEvent, attempt: number): SubscriptionEnvelope {
    return {
      position: stored.position,
      streamId: stored.streamId,
      version: stored.version,
      eventId: stored.eventId,
      type: stored.type,
      metadata: stored.metadata,
      recordedAt: stored.recordedAt,
      subscriber: this.name,
      attempt,
    };
  }

  private startRenewing(): void {
    this.stopRenewing();
    const every = Math.max(50, Math.floor(this.settings.leaseTtlMs / 3));
    this.renewTimer = setInterval(() => void this.renew(), every);
    this.renewTimer.unref();
  }

  private stopRenewing(): void {
    if (this.renewTimer) clearInterval(this.renewTimer);
    this.renewTimer = undefined;
  }

  private async renew(): Promise<void> {
    const lease = this.lease;
    if (!lease || this.renewing || this.leaseLost) return;
    this.renewing = true;
    try {
      const renewed = await this.context.storage.renewLease(lease, this.settings.leaseTtlMs);
      if (this.lease !== lease) return;
      if (renewed) this.lease = renewed;
      else this.loseLease();
    } catch (error) {
      this.lastErrorText = describeError(error);
      // Past its expiry another instance may hold it: stop delivering until it is taken again.
      if (this.lease === lease && Date.now() >= lease.expiresAt.getTime()) this.loseLease();
    } finally {
      this.renewing = false;
    }
  }

  private loseLease(): void {
    this.leaseLost = true;
    this.wake();
    for (const wake of this.stopWakers) wake();
  }

  private dropLease(reason: string): void {
    this.stopRenewing();
    if (this.lease) {
      this.context.logger.warn?.(`Subscriber "${this.name}" stops here: ${reason}`);
    }
    this.lease = undefined;
    this.leaseLost = false;
    this.pages.drop();
    this.setState('standby');
  }

  private async releaseLease(): Promise<void> {
    this.stopRenewing();
    const lease = this.lease;
    this.lease = undefined;
    if (!lease || this.leaseLost) return;
    try {
      await this.context.storage.releaseLease(lease);
    } catch {
      // It expires by itself after leaseTtlMs.
    }
  }

  private setState(state: SubscriptionState): void {
    if (this.currentState === state) return;
    this.currentState = state;
    this.notifyProgress();
  }

  private notifyProgress(): void {
    for (const listener of this.progressListeners) listener();
  }

  /** Waits `ms`, or less when woken by an append or by stop. */
  private idle(ms: number): Promise<void> {
    if (this.pendingWake || this.stopping) {
      this.pendingWake = false;
      return Promise.resolve();
    }
    return this.waitOn(this.idleWakers, ms).then(() => {
      this.pendingWake = false;
    });
  }

  /** Waits `ms`, or less when stopping or losing the lease (a retry backoff). */
  private pause(ms: number): Promise<void> {
    if (this.stopping) return Promise.resolve();
    return this.waitOn(this.stopWakers, ms);
  }

  private waitOn(wakers: Set<() => void>, ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        wakers.delete(done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      wakers.add(done);
    });
  }
}

/** A transient failure is logged on its first attempts, then every tenth: it may last hours. */
function isLoggedRetry(attempt: number): boolean {
  return attempt <= 3 || attempt % 10 === 0;
}

function describeError(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  return String(error);
}
