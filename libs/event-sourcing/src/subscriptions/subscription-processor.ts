import { GlobalLogPageReader } from './global-log-page-reader';
import { describeError } from './describe-error';
import { ProcessorLeaseHolder } from './processor-lease-holder';
import { ProcessorSignals } from './processor-signals';
import { ProcessorStatus, type SubscriptionRetry } from './processor-status';
import { retryDelayMs } from './retry-backoff';
import type { SubscriberDefinition } from './subscriber-definition';
import { SubscriptionDelivery } from './subscription-delivery';
import type { SubscriptionProcessorContext } from './subscription-processor-context';
import type { SubscriptionState } from './subscription-status';
import type { StoredEvent } from '../store/event-storage';

/** How long `stop()` waits for a handler in progress before giving up on it. */
const STOP_GRACE_MS = 10_000;
/** Storage failures back off from this delay... */
const STORAGE_RETRY_BASE_MS = 250;
/** ...up to this one (with jitter, at most 1.5×): short enough to resume within seconds of the storage's return. */
const STORAGE_RETRY_CAP_MS = 2000;

/**
 * Feeds one subscriber from the global log: holds its lease (one active
 * processor per subscriber across instances), reads in batches after the
 * durable checkpoint, delivers the handled event types in position order with
 * retries (see `SubscriptionDelivery`), parks what keeps failing, and writes
 * the checkpoint (fenced) after each batch. Storage failures never end it: it
 * logs, backs off and retries.
 *
 * While a full page is handled, the next one is read (prefetch): catch-up then
 * runs at the slower of reading and handling instead of their sum.
 */
export class SubscriptionProcessor {
  private loop?: Promise<void>;
  /** `start()` was called while the loop was ending. */
  private restartWhenEnded = false;
  private readonly status: ProcessorStatus;
  private readonly signals = new ProcessorSignals();
  private readonly leases: ProcessorLeaseHolder;
  private readonly delivery: SubscriptionDelivery;
  /** Reads the pages, the next one while the current one is handled. */
  private readonly pages: GlobalLogPageReader;

  constructor(
    readonly definition: SubscriberDefinition,
    private readonly context: SubscriptionProcessorContext,
  ) {
    this.pages = new GlobalLogPageReader(context.storage, () => this.settings.batchSize);
    this.status = new ProcessorStatus(definition, context.storage, context);
    this.leases = new ProcessorLeaseHolder({
      storage: context.storage,
      ttlMs: definition.settings.leaseTtlMs,
      onLost: () => this.signals.interrupt(),
      onRenewError: (error) => {
        this.status.lastError = describeError(error);
      },
    });
    this.delivery = new SubscriptionDelivery(
      definition,
      context,
      this.status,
      this.signals,
      this.leases,
    );
  }

  get name(): string {
    return this.definition.name;
  }

  get state(): SubscriptionState {
    return this.status.state;
  }

  /** The last position finished, as known by this instance. */
  get checkpoint(): number {
    return this.status.checkpoint;
  }

  get lastError(): string | undefined {
    return this.status.lastError;
  }

  /** What it is retrying now (a failing event or batch, or the unreachable storage), if anything. */
  get retrying(): SubscriptionRetry | undefined {
    return this.status.retrying;
  }

  /** True while this instance holds the lease and feeds the subscriber. */
  get isActive(): boolean {
    return this.leases.held && this.status.state === 'running';
  }

  /** Starts the loop (no-op when it runs). Never waits for the storage. */
  start(): void {
    if (this.loop) {
      // A loop that is ending (it failed, or is stopping) still settles its reads
      // and releases its lease: start again once it has, rather than not at all.
      if (this.status.state === 'failed' || this.signals.stopping) this.restartWhenEnded = true;
      return;
    }
    this.signals.stopping = false;
    this.restartWhenEnded = false;
    this.status.resetState('standby');
    this.loop = this.run().finally(() => {
      this.loop = undefined;
      if (this.restartWhenEnded) this.start();
    });
  }

  /** Stops after the event (or batch) in progress, writes nothing more and releases the lease. */
  async stop(): Promise<void> {
    const loop = this.loop;
    if (!loop) {
      if (this.status.state !== 'failed') this.status.resetState('stopped');
      return;
    }
    this.signals.stopping = true;
    this.restartWhenEnded = false;
    this.signals.wakeAll();
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
    this.status.checkpoint = position;
    this.delivery.forgetParked();
    this.pages.drop();
    this.status.notifyProgress();
  }

  /** New events may be there: read now instead of at the next poll. */
  wake(): void {
    this.signals.wake();
  }

  /** Calls `listener` whenever the checkpoint or state changes. Returns an unsubscribe function. */
  onProgress(listener: () => void): () => void {
    return this.status.onProgress(listener);
  }

  /** Delivers one event once, outside the loop (replay of a parked event). Throws what the handler throws. */
  deliverOnce(stored: StoredEvent): Promise<boolean> {
    return this.delivery.deliverOnce(stored);
  }

  private get settings() {
    return this.definition.settings;
  }

  private async run(): Promise<void> {
    let storageFailures = 0;
    try {
      while (!this.signals.stopping) {
        try {
          if (this.leases.isLost) this.dropLease('the lease was taken over by another instance');
          if (!this.leases.lease && !(await this.takeLease())) {
            storageFailures = 0;
            this.status.clearRetrying();
            this.status.setState('standby');
            await this.signals.idle(
              Math.min(this.settings.pollIntervalMs, this.settings.leaseTtlMs / 4),
            );
            continue;
          }
          const outcome = await this.processBatch();
          storageFailures = 0;
          this.status.clearRetrying();
          if (outcome === 'failed') return;
          if (outcome === 'idle') await this.signals.idle(this.settings.pollIntervalMs);
        } catch (error) {
          storageFailures += 1;
          this.status.lastError = describeError(error);
          this.status.noteFailure(storageFailures);
          this.context.logger.warn?.(
            `Subscriber "${this.name}" cannot reach the event storage (attempt ${storageFailures}), ` +
              `retrying: ${this.status.lastError}`,
          );
          await this.signals.pause(
            retryDelayMs(storageFailures, STORAGE_RETRY_BASE_MS, STORAGE_RETRY_CAP_MS),
          );
        }
      }
    } finally {
      // Let reads still in flight settle, so nothing touches the storage after stop().
      await Promise.all([this.pages.settle(), this.status.settle()]);
      await this.leases.release();
      if (this.status.state !== 'failed') this.status.setState('stopped');
    }
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
    this.delivery.parkedSince(await storage.listParked(this.name), checkpoint);
    this.pages.drop();
    this.status.checkpoint = checkpoint;
    this.leases.hold(lease);
    this.status.setState('running');
    this.context.logger.log?.(
      `Subscriber "${this.name}" runs here from position ${checkpoint} (fencing token ${lease.fencingToken})`,
    );
    return true;
  }

  /** Reads one batch after the checkpoint, delivers it and writes the checkpoint. */
  private async processBatch(): Promise<'progressed' | 'idle' | 'failed'> {
    const lease = this.leases.lease!;
    const batch = await this.pages.read(this.status.checkpoint + 1);
    if (batch.length === 0) {
      this.status.reportCaughtUp();
      return 'idle';
    }
    const last = batch[batch.length - 1].position;
    // A full page means more is likely there: read it while this one is handled.
    if (batch.length >= this.settings.batchSize) this.pages.readAhead(last + 1);

    const { finished, failed } = await this.delivery.deliverPage(batch, this.status.checkpoint);

    if (finished !== last) this.pages.drop();
    if (finished > this.status.checkpoint) {
      if (!(await this.context.storage.storeCheckpoint(lease, finished))) {
        this.pages.drop();
        this.dropLease('its checkpoint write was fenced off: another instance took the lease');
        return 'progressed';
      }
      this.status.checkpoint = finished;
      this.delivery.forgetParkedUpTo(finished);
      this.status.notifyProgress();
      this.status.measureLag(batch.length);
    }
    if (failed) {
      this.status.setState('failed');
      return 'failed';
    }
    return 'progressed';
  }

  /** Lets go of a lease that was lost or fenced off, without releasing it. */
  private dropLease(reason: string): void {
    if (this.leases.lease) {
      this.context.logger.warn?.(`Subscriber "${this.name}" stops here: ${reason}`);
    }
    this.leases.drop();
    this.pages.drop();
    this.status.setState('standby');
  }
}
