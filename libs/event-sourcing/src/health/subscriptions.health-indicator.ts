import { Injectable } from '@nestjs/common';
import type { HealthIndicatorResult } from '@nestjs/terminus';
import { DEFAULT_HEALTH_TIMEOUT_MS } from '@cello/core/internal';
import { SubscriptionManager } from '../subscriptions/subscription-manager';
import type { SubscriptionStatus } from '../subscriptions/subscription-status';

/** How long a subscriber may retry one failure before `isHealthy` reports it stalled. */
export const DEFAULT_STALLED_AFTER_MS = 30_000;

/** Options of `SubscriptionsHealthIndicator.isHealthy`. */
export interface SubscriptionsHealthOptions {
  /** A subscriber retrying the same failure for longer than this is stalled, in ms. Default 30000. */
  stalledAfterMs?: number;
  /** Longest wait for the storage reads behind the report, in ms. Default 1000. */
  timeoutMs?: number;
}

/** What the details say of one subscriber. */
interface SubscriberHealth {
  mode: SubscriptionStatus['mode'];
  state: SubscriptionStatus['state'];
  checkpoint: number;
  lag: number;
  /** Parked events (absent when they could not be read). */
  parked?: number;
  retryingForMs?: number;
  retryAttempts?: number;
  lastError?: string;
}

/**
 * Terminus health indicator of the subscribers run by this instance.
 *
 * `isHealthy()` is `down` when one of them is stalled: stopped by an event that
 * kept failing (`onFailure: 'stop'`), or retrying one failure (a transient
 * handler error, or an unreachable storage) for longer than `stalledAfterMs`.
 * Its details list every subscriber with its state, checkpoint, lag and parked
 * events. Parked events alone do not make it `down` (the subscriber moved on,
 * and restarting the instance would not help): `hasNoParkedEvents()` is the
 * indicator to opt into when they should.
 *
 * `health.check([() => subscriptionsHealth.isHealthy(), () => subscriptionsHealth.hasNoParkedEvents()])`
 */
@Injectable()
export class SubscriptionsHealthIndicator {
  constructor(private readonly subscriptions: SubscriptionManager) {}

  /** `down` with the reason while a subscriber is stopped or retrying past `stalledAfterMs`. */
  async isHealthy<Key extends string = 'subscriptions'>(
    key: Key = 'subscriptions' as Key,
    options: SubscriptionsHealthOptions = {},
  ): Promise<HealthIndicatorResult<Key>> {
    const stalledAfterMs = options.stalledAfterMs ?? DEFAULT_STALLED_AFTER_MS;
    const timeoutMs = options.timeoutMs ?? DEFAULT_HEALTH_TIMEOUT_MS;
    let statuses: SubscriptionStatus[];
    try {
      statuses = await withTimeout(this.subscriptions.status(), timeoutMs);
    } catch (error) {
      return result(key, 'down', { message: `cannot read their status: ${messageOf(error)}` });
    }
    const parked = await withTimeout(this.parkedCounts(), timeoutMs).catch(() => undefined);
    const now = Date.now();
    const subscribers: Record<string, SubscriberHealth> = {};
    const problems: string[] = [];
    for (const status of statuses) {
      const health: SubscriberHealth = {
        mode: status.mode,
        state: status.state,
        checkpoint: status.checkpoint,
        lag: status.lag,
      };
      if (parked) health.parked = parked.get(status.name) ?? 0;
      if (status.retrying) {
        health.retryingForMs = now - status.retrying.since.getTime();
        health.retryAttempts = status.retrying.attempts;
      }
      if (status.lastError !== undefined) health.lastError = status.lastError;
      subscribers[status.name] = health;
      if (status.state === 'failed' && status.mode === 'inline') {
        problems.push(
          `inline "${status.name}": its rebuild failed, appends skip it (${status.lastError})`,
        );
      } else if (status.state === 'failed') {
        problems.push(
          `"${status.name}" stopped at ${status.checkpoint} on an event that kept failing`,
        );
      } else if (health.retryingForMs !== undefined && health.retryingForMs > stalledAfterMs) {
        problems.push(
          `"${status.name}" stalled at ${status.checkpoint}: retrying for ` +
            `${Math.round(health.retryingForMs / 1000)} s (${health.retryAttempts} attempts)`,
        );
      }
    }
    if (problems.length === 0) return result(key, 'up', { subscribers });
    return result(key, 'down', { message: problems.join('; '), subscribers });
  }

  /** `down` when any subscriber has parked events, with their count per subscriber. */
  async hasNoParkedEvents<Key extends string = 'parkedEvents'>(
    key: Key = 'parkedEvents' as Key,
    timeoutMs = DEFAULT_HEALTH_TIMEOUT_MS,
  ): Promise<HealthIndicatorResult<Key>> {
    let counts: Map<string, number>;
    try {
      counts = await withTimeout(this.parkedCounts(), timeoutMs);
    } catch (error) {
      return result(key, 'down', { message: `cannot read parked events: ${messageOf(error)}` });
    }
    const parked = Object.fromEntries(counts);
    if (counts.size === 0) return result(key, 'up', {});
    const total = [...counts.values()].reduce((sum, n) => sum + n, 0);
    return result(key, 'down', {
      message:
        `${total} parked event(s): ` +
        [...counts].map(([name, n]) => `"${name}" ${n}`).join(', ') +
        '. Replay them with SubscriptionManager.replayParked(id) once the cause is fixed.',
      parked,
    });
  }

  private async parkedCounts(): Promise<Map<string, number>> {
    const counts = new Map<string, number>();
    for (const parked of await this.subscriptions.listParked()) {
      counts.set(parked.processor, (counts.get(parked.processor) ?? 0) + 1);
    }
    return counts;
  }
}

function result<Key extends string>(
  key: Key,
  status: 'up' | 'down',
  details: Record<string, unknown>,
): HealthIndicatorResult<Key> {
  return { [key]: { status, ...details } } as unknown as HealthIndicatorResult<Key>;
}

function withTimeout<T>(work: Promise<T>, timeoutMs: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

function messageOf(error: unknown): string {
  const message = (error as { message?: unknown } | null)?.message;
  return typeof message === 'string' ? message : String(error);
}
