import { Inject, Injectable, Optional } from '@nestjs/common';
import { EVENT_STORAGE, SubscriptionManager } from '@cello/event-sourcing';
import type { EventStorage, ParkedEvent, SubscriptionStatus } from '@cello/event-sourcing';

/** A parked event as the Subscriptions view shows it. */
export interface ParkedEventView {
  readonly id: number;
  readonly position: number;
  readonly eventId: string;
  readonly streamId: string;
  readonly type: string;
  readonly error: string;
  readonly attempts: number;
  readonly parkedAt: string;
}

/** One subscriber in the Subscriptions view. */
export interface SubscriptionView {
  readonly name: string;
  /** `async` (fed after the commit) or `inline` (run in each append's transaction). */
  readonly mode: 'async' | 'inline';
  /** True while an inline subscriber is rebuilt (its checkpoint is the rebuild's progress). */
  readonly rebuilding: boolean;
  /** `running`, `standby`, `stopped`, `failed`, or `stalled` while it retries what it is stuck on. */
  readonly status: 'running' | 'standby' | 'stopped' | 'failed' | 'stalled';
  /** The instance id holding the live lease (this one's or another's); null when none does, or the storage cannot tell. */
  readonly leaseHolder: string | null;
  readonly checkpoint: number;
  readonly headPosition: number;
  /** Events between the checkpoint and the head. */
  readonly lagEvents: number;
  /** Age in seconds of the oldest event it has not finished; 0 when caught up. */
  readonly lagSeconds: number;
  readonly lastError: string | null;
  readonly retrying: { readonly since: string; readonly attempts: number } | null;
  readonly parked: ParkedEventView[];
}

/** What the Subscriptions view shows: every subscriber, as this instance sees it. */
export interface SubscriptionsOverviewPage {
  /** This instance's id (the lease owner name when it holds a lease). */
  readonly instanceId: string;
  readonly subscriptions: SubscriptionView[];
}

/** Builds the Subscriptions view from `SubscriptionManager` and the log. */
@Injectable()
export class SubscriptionsOverview {
  constructor(
    @Optional() private readonly manager?: SubscriptionManager,
    @Optional() @Inject(EVENT_STORAGE) private readonly storage?: EventStorage,
  ) {}

  /** False when the app does not import `EventSourcingModule`. */
  get available(): boolean {
    return this.manager !== undefined && this.storage !== undefined;
  }

  async overview(now = Date.now()): Promise<SubscriptionsOverviewPage> {
    const manager = this.manager!;
    const [statuses, parked] = await Promise.all([manager.status(), manager.listParked()]);
    const subscriptions: SubscriptionView[] = [];
    for (const status of statuses) {
      subscriptions.push({
        name: status.name,
        mode: status.mode,
        rebuilding: status.rebuilding === true,
        status: status.retrying ? 'stalled' : status.state,
        leaseHolder: status.leaseHolder ?? null,
        checkpoint: status.checkpoint,
        headPosition: status.headPosition,
        lagEvents: status.lag,
        lagSeconds: await this.lagSeconds(status, now),
        lastError: status.lastError ?? null,
        retrying: status.retrying
          ? { since: status.retrying.since.toISOString(), attempts: status.retrying.attempts }
          : null,
        parked: parked.filter((p) => p.processor === status.name).map(toView),
      });
    }
    return { instanceId: manager.instanceId, subscriptions };
  }

  /** The age of the first event past the checkpoint: how long it has waited. */
  private async lagSeconds(status: SubscriptionStatus, now: number): Promise<number> {
    if (status.lag === 0) return 0;
    try {
      const [next] = await this.storage!.readAll({
        fromPosition: status.checkpoint + 1,
        limit: 1,
      });
      if (!next) return 0;
      return Math.max(0, Math.round((now - next.recordedAt.getTime()) / 100) / 10);
    } catch {
      // The storage is down: the status already says so through lastError.
      return 0;
    }
  }
}

function toView(parked: ParkedEvent): ParkedEventView {
  return {
    id: parked.id,
    position: parked.position,
    eventId: parked.eventId,
    streamId: parked.streamId,
    type: parked.type,
    error: parked.error,
    attempts: parked.attempts,
    parkedAt: parked.parkedAt.toISOString(),
  };
}
