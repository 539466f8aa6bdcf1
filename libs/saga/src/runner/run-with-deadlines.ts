/** How one attempt of a step or compensation ended. */
export type AttemptOutcome =
  | { kind: 'ok' }
  | { kind: 'error'; error: unknown }
  | { kind: 'step_timeout' }
  | { kind: 'saga_timeout' }
  | { kind: 'aborted' };

/**
 * Runs `work` until it settles, its own timeout passes, the saga deadline
 * passes, or `stop` aborts; `controller` is aborted on any timeout so that
 * cooperative step code can give up.
 */
export async function runWithDeadlines(
  work: () => unknown,
  controller: AbortController,
  stepTimeoutMs: number | null,
  sagaDeadlineMs: number | null,
  stop: AbortSignal,
): Promise<AttemptOutcome> {
  const timers: NodeJS.Timeout[] = [];
  let onStop: (() => void) | undefined;
  const racers: Promise<AttemptOutcome>[] = [
    Promise.resolve()
      .then(work)
      .then(
        (): AttemptOutcome => ({ kind: 'ok' }),
        (error: unknown): AttemptOutcome => ({ kind: 'error', error }),
      ),
    new Promise((resolve) => {
      onStop = () => resolve({ kind: 'aborted' });
      if (stop.aborted) onStop();
      else stop.addEventListener('abort', onStop, { once: true });
    }),
  ];
  if (stepTimeoutMs !== null) {
    racers.push(
      new Promise((resolve) =>
        timers.push(setTimeout(() => resolve({ kind: 'step_timeout' }), stepTimeoutMs)),
      ),
    );
  }
  if (sagaDeadlineMs !== null) {
    const left = Math.max(0, sagaDeadlineMs - Date.now());
    racers.push(
      new Promise((resolve) =>
        timers.push(setTimeout(() => resolve({ kind: 'saga_timeout' }), left)),
      ),
    );
  }
  try {
    const outcome = await Promise.race(racers);
    if (outcome.kind !== 'ok' && outcome.kind !== 'error') controller.abort();
    return outcome;
  } finally {
    timers.forEach(clearTimeout);
    if (onStop) stop.removeEventListener('abort', onStop);
  }
}

/** Waits `ms` unless `stop` aborts first; true when the wait completed. */
export function sleep(ms: number, stop: AbortSignal): Promise<boolean> {
  if (ms <= 0) return Promise.resolve(!stop.aborted);
  return new Promise((resolve) => {
    const done = (completed: boolean) => {
      clearTimeout(timer);
      stop.removeEventListener('abort', onAbort);
      resolve(completed);
    };
    const onAbort = () => done(false);
    const timer = setTimeout(() => done(true), ms);
    stop.addEventListener('abort', onAbort, { once: true });
  });
}
