import { performance } from 'node:perf_hooks';
import type { Deadline, DeadlineQueue } from '../timeouts/deadline-queue';
import { DispatchContext } from './dispatch-context';
import type { RouteDefinition } from './route-definition';

/**
 * The context of one dispatch the bus settles itself (a time limit, or the
 * caller's `signal`): it makes the caller's promise and is its own deadline
 * entry, so a dispatch allocates one object besides the promises. It settles
 * the caller's promise once, whichever of handler, deadline and caller's
 * signal comes first.
 */
export class TrackedContext extends DispatchContext implements Deadline {
  /** @internal */ prev: Deadline | null = null;
  /** @internal */ next: Deadline | null = null;
  /** @internal */ dueTick = 0;
  /** @internal */ queue: DeadlineQueue | null = null;
  /** @internal The caller's promise. */
  readonly promise: Promise<unknown>;
  private resolve!: (value: unknown) => void;
  private reject!: (error: unknown) => void;
  private settled = false;
  private unfollowCaller: (() => void) | undefined = undefined;

  constructor(
    private readonly route: RouteDefinition,
    request: unknown,
    /** `performance.now()` at the start, when the route has metrics. */
    private readonly startedAt: number,
  ) {
    super(route.kind, route.messageType, request, route.timeoutMs);
    this.promise = new Promise((resolve, reject) => {
      this.resolve = resolve;
      this.reject = reject;
    });
  }

  /** @internal Also ends the dispatch when the caller's `signal` aborts. */
  followCaller(signal: AbortSignal): void {
    const onAbort = () => this.cancel(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    this.unfollowCaller = () => signal.removeEventListener('abort', onAbort);
  }

  /** @internal The handler's outcome. */
  settle(ok: boolean, value: unknown): void {
    if (this.settled) return; // already timed out or cancelled: the late outcome is dropped
    this.end(ok ? 'success' : 'error');
    if (ok) this.resolve(value);
    else this.reject(value);
  }

  /** @internal The deadline passed first. */
  expire(): void {
    if (this.settled) return;
    const route = this.route;
    const error = route.timeoutError(route.messageType.name, route.timeoutMs);
    this.end('timeout');
    this.abort(error);
    this.reject(error);
  }

  /** The caller gave up (its signal aborted): fail with its reason and tell the handler. */
  private cancel(reason: unknown): void {
    if (this.settled) return;
    this.end('error');
    this.abort(reason);
    this.reject(reason);
  }

  private end(outcome: 'success' | 'error' | 'timeout'): void {
    this.settled = true;
    if (this.queue !== null) this.queue.remove(this);
    if (this.unfollowCaller !== undefined) this.unfollowCaller();
    this.route.metrics?.record(outcome, performance.now() - this.startedAt);
  }
}
