import { LeaseKeeper } from '@cello/core/internal';
import type { ProcessorLease, ProcessorStore } from '../store/event-storage';

/** What the lease holder is told and asks. */
export interface ProcessorLeaseHolderOptions {
  readonly storage: Pick<ProcessorStore, 'renewLease' | 'releaseLease'>;
  /** The lease's time to live in milliseconds. */
  readonly ttlMs: number;
  /** Called when the lease is lost (another instance may hold it now). */
  readonly onLost: () => void;
  /** Called with each renewal that failed. */
  readonly onRenewError: (error: unknown) => void;
}

/**
 * Holds a processor's lease: the shared `LeaseKeeper` renews it every third
 * of its time to live (one renewal at a time) and reports it lost when the
 * storage answers that it is gone or stays unreachable past its time to live;
 * the holder keeps the renewed lease (its fencing token) and releases it on
 * stop.
 */
export class ProcessorLeaseHolder {
  private current?: ProcessorLease;
  private lost = false;
  private readonly keeper: LeaseKeeper;

  constructor(private readonly options: ProcessorLeaseHolderOptions) {
    this.keeper = new LeaseKeeper({
      ttlMs: options.ttlMs,
      renewEveryMs: Math.max(50, Math.floor(options.ttlMs / 3)),
      renew: () => this.renew(),
      onLost: (reason) => {
        // A loss after failed renewals carries the last failure: report it like the others.
        if (reason.cause !== undefined) options.onRenewError(reason.cause);
        this.lost = true;
        options.onLost();
      },
      onError: options.onRenewError,
    });
  }

  /** The lease held (possibly lost meanwhile, see `isLost`). */
  get lease(): ProcessorLease | undefined {
    return this.current;
  }

  /** True once the lease is lost, until it is dropped. */
  get isLost(): boolean {
    return this.lost;
  }

  /** True while a lease is held and not lost. */
  get held(): boolean {
    return this.current !== undefined && !this.lost;
  }

  /** Keeps `lease` from now on, renewing it. */
  hold(lease: ProcessorLease): void {
    this.current = lease;
    this.lost = false;
    this.keeper.start();
  }

  /** Lets go of the lease without telling the storage (it was lost or fenced off). */
  drop(): void {
    void this.keeper.stop();
    this.current = undefined;
    this.lost = false;
  }

  /**
   * Stops renewing (waiting for a renewal in flight) and releases the lease
   * unless it was lost, so another instance takes over at once.
   */
  async release(): Promise<void> {
    const stopped = this.keeper.stop();
    const lease = this.current;
    this.current = undefined;
    await stopped;
    if (!lease || this.lost) return;
    try {
      await this.options.storage.releaseLease(lease);
    } catch {
      // It expires by itself after its time to live.
    }
  }

  /** One renewal; true while the lease is kept (or was let go meanwhile). */
  private async renew(): Promise<boolean> {
    const lease = this.current;
    if (!lease) return true;
    const renewed = await this.options.storage.renewLease(lease, this.options.ttlMs);
    // Dropped or taken again meanwhile: this answer is about a lease no longer held.
    if (this.current !== lease) return true;
    if (!renewed) return false;
    this.current = renewed;
    return true;
  }
}
