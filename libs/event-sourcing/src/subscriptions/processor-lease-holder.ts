import type { EventStorage, ProcessorLease } from '../store/event-storage';

/** What the lease holder is told and asks. */
export interface ProcessorLeaseHolderOptions {
  readonly storage: Pick<EventStorage, 'renewLease' | 'releaseLease'>;
  /** The lease's time to live in milliseconds. */
  readonly ttlMs: number;
  /** Called when the lease is lost (another instance may hold it now). */
  readonly onLost: () => void;
  /** Called with each renewal that failed. */
  readonly onRenewError: (error: unknown) => void;
}

/**
 * Holds a processor's lease: renews it every third of its time to live (one
 * renewal at a time), marks it lost when the storage answers that it is gone
 * or stays unreachable past its expiry, and releases it on stop.
 */
export class ProcessorLeaseHolder {
  private current?: ProcessorLease;
  private lost = false;
  private renewTimer?: NodeJS.Timeout;
  private renewing = false;

  constructor(private readonly options: ProcessorLeaseHolderOptions) {}

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
    this.startRenewing();
  }

  /** Lets go of the lease without telling the storage (it was lost or fenced off). */
  drop(): void {
    this.stopRenewing();
    this.current = undefined;
    this.lost = false;
  }

  /** Stops renewing and releases the lease (unless it was lost), so another instance takes over at once. */
  async release(): Promise<void> {
    this.stopRenewing();
    const lease = this.current;
    this.current = undefined;
    if (!lease || this.lost) return;
    try {
      await this.options.storage.releaseLease(lease);
    } catch {
      // It expires by itself after its time to live.
    }
  }

  private startRenewing(): void {
    this.stopRenewing();
    const every = Math.max(50, Math.floor(this.options.ttlMs / 3));
    this.renewTimer = setInterval(() => void this.renew(), every);
    this.renewTimer.unref();
  }

  private stopRenewing(): void {
    if (this.renewTimer) clearInterval(this.renewTimer);
    this.renewTimer = undefined;
  }

  private async renew(): Promise<void> {
    const lease = this.current;
    if (!lease || this.renewing || this.lost) return;
    this.renewing = true;
    try {
      const renewed = await this.options.storage.renewLease(lease, this.options.ttlMs);
      if (this.current !== lease) return;
      if (renewed) this.current = renewed;
      else this.lose();
    } catch (error) {
      this.options.onRenewError(error);
      // Past its expiry another instance may hold it: stop delivering until it is taken again.
      if (this.current === lease && Date.now() >= lease.expiresAt.getTime()) this.lose();
    } finally {
      this.renewing = false;
    }
  }

  private lose(): void {
    this.lost = true;
    this.options.onLost();
  }
}
