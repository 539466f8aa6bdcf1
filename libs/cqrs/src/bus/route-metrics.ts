import type { CelloMetrics } from '@cello/core';
import type { MessageKind } from '../message/message-class';

interface Increment {
  inc(): void;
}

/**
 * The Prometheus series of one message type, resolved once at start-up:
 * `labels(...)` hashes its arguments on every call, a child does not.
 */
export interface RouteMetrics {
  readonly success: Increment;
  readonly error: Increment;
  readonly timeout: Increment;
  readonly invalid: Increment;
  readonly duration: { observe(seconds: number): void };
}

/** The children of `cello_commands_dispatched_total`/`cello_command_duration_seconds` (or the query ones). */
export function routeMetrics(
  metrics: CelloMetrics | undefined,
  kind: MessageKind,
  messageName: string,
): RouteMetrics | undefined {
  if (metrics === undefined || !metrics.enabled) return undefined;
  if (kind === 'command') {
    const counter = metrics.commandsDispatched;
    const histogram = metrics.commandDuration;
    if (counter === undefined || histogram === undefined) return undefined;
    return {
      success: counter.labels({ command: messageName, outcome: 'success' }),
      error: counter.labels({ command: messageName, outcome: 'error' }),
      timeout: counter.labels({ command: messageName, outcome: 'timeout' }),
      invalid: counter.labels({ command: messageName, outcome: 'invalid' }),
      duration: histogram.labels({ command: messageName }),
    };
  }
  const counter = metrics.queriesDispatched;
  const histogram = metrics.queryDuration;
  if (counter === undefined || histogram === undefined) return undefined;
  return {
    success: counter.labels({ query: messageName, outcome: 'success' }),
    error: counter.labels({ query: messageName, outcome: 'error' }),
    timeout: counter.labels({ query: messageName, outcome: 'timeout' }),
    invalid: counter.labels({ query: messageName, outcome: 'invalid' }),
    duration: histogram.labels({ query: messageName }),
  };
}
